using System.Net;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>An outgoing query waiting for its response or its timeout.</summary>
internal sealed class PendingQuery(KrpcMethod method, Hash20? nodeId, IPEndPoint endPoint, IQueryObserver? observer,
    object? state)
{
    public ushort TransactionId { get; set; }

    public KrpcMethod Method { get; } = method;

    /// <summary>Id of the node queried, when known (bootstrap routers and hand-fed nodes have none yet).</summary>
    public Hash20? NodeId { get; } = nodeId;

    public IPEndPoint EndPoint { get; } = endPoint;

    public IQueryObserver? Observer { get; } = observer;

    /// <summary>Caller data (the lookup candidate, the put target...).</summary>
    public object? State { get; } = state;

    /// <summary>Timestamp (TimeProvider ticks) when sent.</summary>
    public long SentAt { get; set; }

    public long Deadline { get; set; }
}
