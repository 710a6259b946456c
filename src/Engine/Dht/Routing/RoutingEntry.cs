using System.Net;

namespace GitTorrent.Engine.Dht.Routing;

/// <summary>One node in a k-bucket. Times are milliseconds of the node's clock.</summary>
internal sealed class RoutingEntry(Hash20 id, IPEndPoint endPoint, long now)
{
    public Hash20 Id { get; } = id;

    public IPEndPoint EndPoint { get; } = endPoint;

    /// <summary>Last time the node answered us or queried us.</summary>
    public long LastSeen { get; set; } = now;

    /// <summary>Queries in a row that timed out.</summary>
    public int FailCount { get; set; }

    /// <summary>When we last sent a ping to check on it (0 = never).</summary>
    public long LastPinged { get; set; }

    public DhtContact Contact => new(Id, EndPoint);
}
