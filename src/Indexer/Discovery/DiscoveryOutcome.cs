namespace GitTorrent.Indexer.Discovery;

/// <summary>What happened to discovered ids (the <c>outcome</c> label of the discovery counters).</summary>
public enum DiscoveryOutcome
{
    /// <summary>Named by the source (new keys, for puts).</summary>
    Seen,

    /// <summary>DHT lookups made (for puts: crawl jobs made due).</summary>
    Lookup,

    /// <summary>Held back by the per-minute lookup budget (each time a round had to leave some waiting).</summary>
    RateLimited,

    /// <summary>Dropped because the pending-lookup queue was full.</summary>
    Dropped,

    /// <summary>Looked up, and no valid profile found in the DHT: nothing stored.</summary>
    NotFound,

    /// <summary>Looked up, found and verified: stored (or refreshed).</summary>
    Stored,
}
