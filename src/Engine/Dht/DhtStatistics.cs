namespace GitTorrent.Engine.Dht;

/// <summary>A snapshot of a node's counters.</summary>
public sealed record DhtStatistics
{
    public long QueriesReceived { get; init; }

    public long ResponsesSent { get; init; }

    public long ErrorsSent { get; init; }

    public long QueriesSent { get; init; }

    public long ResponsesReceived { get; init; }

    public long Timeouts { get; init; }

    /// <summary>Lookups started (find_node, get_peers and BEP 44 get, including those of announces and puts).</summary>
    public long LookupsStarted { get; init; }

    /// <summary>Datagrams that were not valid KRPC (bad bencode, missing keys, wrong sizes).</summary>
    public long MalformedDropped { get; init; }

    /// <summary>Datagrams dropped by the per-source rate limit.</summary>
    public long RateLimited { get; init; }

    /// <summary>Datagrams dropped because the receive queue was full.</summary>
    public long QueueOverflows { get; init; }

    /// <summary>Replies that matched no pending query.</summary>
    public long UnexpectedReplies { get; init; }

    public int RoutingTableSize { get; init; }

    public int PendingQueries { get; init; }

    public int ItemsStored { get; init; }

    public long ItemBytesStored { get; init; }

    public int PeersStored { get; init; }

    public int InfoHashesStored { get; init; }

    public long EstimatedDhtSize { get; init; }
}
