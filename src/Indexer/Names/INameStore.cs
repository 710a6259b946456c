namespace GitTorrent.Indexer.Names;

/// <summary>
/// Where the chain follower keeps name entries and its checkpoints (one per processed block). The database
/// layer implements it; each write method is one transaction holding the data and the checkpoint together.
/// </summary>
/// <remarks>
/// Processed blocks always form a contiguous run of heights ending at the tip: the follower applies
/// height tip + 1 (or the start height on an empty store) and rolls back the tip only.
/// </remarks>
public interface INameStore
{
    /// <summary>The highest processed block, or null when nothing was processed yet.</summary>
    Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct);

    /// <summary>Hash of the processed block at <paramref name="height"/>, or null if none.</summary>
    Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct);

    /// <summary>
    /// Atomically records the block's entries, its malformed-output counts (<see cref="BlockNameScan.Malformed"/>)
    /// and the checkpoint (<paramref name="height"/>, <paramref name="blockHash"/>).
    /// </summary>
    Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct);

    /// <summary>
    /// Atomically removes everything <see cref="ApplyBlockAsync"/> recorded for the block at
    /// <paramref name="height"/> (the current tip), checkpoint included.
    /// </summary>
    Task RollbackBlockAsync(int height, CancellationToken ct);
}
