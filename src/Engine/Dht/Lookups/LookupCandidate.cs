namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>A node met during a lookup.</summary>
internal sealed class LookupCandidate(DhtContact contact, Hash20 distance, int depth)
{
    public DhtContact Contact { get; } = contact;

    public Hash20 Distance { get; } = distance;

    /// <summary>Round in which we learned of it: 1 for nodes from our own table.</summary>
    public int Depth { get; set; } = depth;

    public CandidateState State { get; set; }

    /// <summary>Outstanding longer than the slow threshold: no longer counted against alpha.</summary>
    public bool Slow { get; set; }

    public long SentAt { get; set; }

    /// <summary>Write token it gave us (get_peers / get), for the announce or put that follows.</summary>
    public byte[]? Token { get; set; }
}
