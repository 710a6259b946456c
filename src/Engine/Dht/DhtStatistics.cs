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

    // ---- Limits that bit (issue 11) ----

    /// <summary>Answering nodes kept out of the routing table because their id does not fit their address (BEP 42).</summary>
    public long NodeIdsRejected { get; init; }

    /// <summary>Pings sent to check the address of a node that queried us.</summary>
    public long VerificationPings { get; init; }

    /// <summary>Such pings not sent because <see cref="DhtOptions.MaxVerificationPings"/> were in flight.</summary>
    public long VerificationPingsSkipped { get; init; }

    /// <summary>announce_peer refused: the address holds its share of the peer store.</summary>
    public long AnnouncesRefusedPerAddress { get; init; }

    /// <summary>announce_peer refused: the peer store or the infohash's list is full.</summary>
    public long AnnouncesRefusedFull { get; init; }

    /// <summary>BEP 44 put refused: the address holds its share of the item store.</summary>
    public long PutsRefusedPerAddress { get; init; }

    /// <summary>"ip" votes not counted: the voter's /24 (IPv6: /64) had already voted so.</summary>
    public long AddressVotesIgnored { get; init; }

    /// <summary>Sources forgotten by the source table (least recently heard) to stay within its bound.</summary>
    public long SourcesEvicted { get; init; }

    /// <summary>Answers to unverified sources cut to the anti-amplification bound.</summary>
    public long ResponsesTrimmed { get; init; }
}
