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
    /// Atomically applies consecutive blocks (each at its <see cref="BlockNameScan.Height"/> and
    /// <see cref="BlockNameScan.BlockHash"/>, the first at tip + 1): all of them and the checkpoint of the last, or
    /// nothing. The result equals applying them one by one. The default applies them one by one (one transaction
    /// each), which keeps the store consistent too; database stores write a batch in one transaction.
    /// </summary>
    async Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        foreach (var block in blocks)
        {
            await ApplyBlockAsync(block.Height, block.BlockHash, block, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Atomically removes everything <see cref="ApplyBlockAsync"/> recorded for the block at
    /// <paramref name="height"/> (the current tip), checkpoint included.
    /// </summary>
    Task RollbackBlockAsync(int height, CancellationToken ct);
}
