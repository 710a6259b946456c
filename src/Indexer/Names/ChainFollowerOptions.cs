namespace GitTorrent.Indexer.Names;

/// <summary>Settings of <see cref="ChainFollower"/>.</summary>
public sealed record ChainFollowerOptions
{
    /// <summary>First height to index on an empty store (0 = genesis). Blocks below are never read.</summary>
    public int StartHeight { get; init; }

    /// <summary>At most this many blocks are applied by one <see cref="ChainFollower.SyncAsync"/> call (0 = no limit).</summary>
    public int MaxBlocksPerSync { get; init; }

    /// <summary>
    /// Deepest walk-back (blocks rolled back, those above the node's tip included) a sync performs; deeper ones
    /// fail without changing the store (0 = no limit). Default 144, one day of blocks.
    /// </summary>
    public int MaxReorgDepth { get; init; } = 144;
}
