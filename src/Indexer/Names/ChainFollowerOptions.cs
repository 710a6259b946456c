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

    /// <summary>
    /// Blocks written in one transaction (<see cref="INameStore.ApplyBlocksAsync"/>) at most. A batch is also written
    /// when it holds <see cref="MaxBatchEntries"/> entries, when reading it took <see cref="MaxBatchDuration"/>, and
    /// when the follower reaches the node's tip. Default 1,000; 1 = one transaction per block.
    /// </summary>
    public int MaxBatchBlocks { get; init; } = 1000;

    /// <summary>Name entries in one batch at most (a batch of blocks full of entries stays small). Default 2,000.</summary>
    public int MaxBatchEntries { get; init; } = 2000;

    /// <summary>A batch is written once reading its blocks took this long (a slow node still shows progress). Default 1 s.</summary>
    public TimeSpan MaxBatchDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock for <see cref="MaxBatchDuration"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
