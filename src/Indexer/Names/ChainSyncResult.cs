namespace GitTorrent.Indexer.Names;

/// <summary>
/// What one <see cref="ChainFollower.SyncAsync"/> did: blocks applied and rolled back (a reorganisation),
/// malformed outputs counted, and the store's tip afterwards (null if still empty).
/// </summary>
public sealed record ChainSyncResult(int Applied, int RolledBack, int Entries, int Malformed, ChainCheckpoint? Tip)
{
    /// <summary>True when the store has caught up with the node's tip seen during the call.</summary>
    public bool CaughtUp { get; init; }

    /// <summary>The node's tip height as seen during the call (the indexer's lag is this minus <see cref="Tip"/>'s height).</summary>
    public int NodeTip { get; init; }
}
