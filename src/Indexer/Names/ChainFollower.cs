namespace GitTorrent.Indexer.Names;

/// <summary>
/// Follows the node's best chain into an <see cref="INameStore"/>: walks forward block by block, and when a
/// stored block hash differs from the node's at that height (or the node's chain got shorter) rolls back
/// the orphaned blocks down to the fork point before applying the new branch. All I/O goes through
/// <see cref="IBlockSource"/> and <see cref="INameStore"/>; one caller at a time.
/// </summary>
/// <remarks>
/// Stored blocks above the node's tip are rolled back (that is what invalidateblock or a reorganisation to a
/// shorter chain looks like). A walk-back deeper than <see cref="ChainFollowerOptions.MaxReorgDepth"/> blocks
/// (a node that is still syncing or was restarted with -reindex looks like that) throws
/// <see cref="ChainReorganisationTooDeepException"/> before anything is rolled back; the caller retries later.
/// </remarks>
public sealed class ChainFollower(IBlockSource source, INameStore store, ChainFollowerOptions? options = null)
{
    /// <summary>Walk-backs one sync may start after noticing a chain switch before it gives up.</summary>
    public const int MaxRestarts = 100;

    private readonly ChainFollowerOptions _options = options ?? new ChainFollowerOptions();
    private readonly TimeProvider _time = options?.Time ?? TimeProvider.System;

    /// <summary>
    /// Brings the store up to the node's tip. A reorganisation that happens while syncing is noticed
    /// (the next block's previous hash no longer matches) and handled by walking back again.
    /// </summary>
    public async Task<ChainSyncResult> SyncAsync(CancellationToken ct)
    {
        int applied = 0, rolledBack = 0, entries = 0, malformed = 0;
        var limit = _options.MaxBlocksPerSync > 0 ? _options.MaxBlocksPerSync : int.MaxValue;
        for (var restarts = 0; ; restarts++)
        {
            if (restarts > MaxRestarts)
            {
                throw new InvalidOperationException(
                    $"The block source kept changing its chain: gave up after {MaxRestarts} walk-backs in one sync.");
            }
            ct.ThrowIfCancellationRequested();
            var nodeTip = await source.GetTipHeightAsync(ct).ConfigureAwait(false);
            var tip = await store.GetTipAsync(ct).ConfigureAwait(false);

            // Walk back: find the highest stored block the node still has at the same height, then roll back
            // everything above it (blocks above the node's tip included). Nothing is touched if that is deeper
            // than MaxReorgDepth.
            if (tip is { } top)
            {
                var fork = top.Height;
                var forkHash = top.BlockHash;
                while (forkHash is not null)
                {
                    if (fork <= nodeTip)
                    {
                        var nodeHash = await source.GetBlockHashAsync(fork, ct).ConfigureAwait(false);
                        if (nodeHash is not null && string.Equals(nodeHash, forkHash, StringComparison.OrdinalIgnoreCase))
                        {
                            break;
                        }
                    }
                    if (_options.MaxReorgDepth > 0 && top.Height - fork + 1 > _options.MaxReorgDepth)
                    {
                        throw new ChainReorganisationTooDeepException(top.Height, nodeTip, _options.MaxReorgDepth);
                    }
                    fork--;
                    forkHash = fork < 0 ? null : await store.GetProcessedBlockHashAsync(fork, ct).ConfigureAwait(false);
                }
                for (var height = top.Height; height > fork; height--)
                {
                    await store.RollbackBlockAsync(height, ct).ConfigureAwait(false);
                    rolledBack++;
                }
                tip = await store.GetTipAsync(ct).ConfigureAwait(false);
            }

            var next = tip is { } last ? last.Height + 1 : _options.StartHeight;
            var reorgSeen = false;
            var pending = new List<BlockNameScan>();
            var (pendingEntries, batchStarted) = (0, 0L);
            Task? writing = null; // the batch being written while the next one is read; one write at a time, in order
            try
            {
                while (next <= nodeTip)
                {
                    if (applied + pending.Count >= limit)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        await DrainAsync().ConfigureAwait(false);
                        return new ChainSyncResult(applied, rolledBack, entries, malformed, tip) { CaughtUp = false, NodeTip = nodeTip };
                    }
                    ct.ThrowIfCancellationRequested();
                    var hash = await source.GetBlockHashAsync(next, ct).ConfigureAwait(false);
                    if (hash is null)
                    {
                        reorgSeen = true; // the node's chain got shorter meanwhile
                        break;
                    }
                    var block = await source.GetBlockAsync(hash, ct).ConfigureAwait(false);
                    var scan = OpReturnExtractor.Extract(block, next);
                    if (!string.Equals(scan.BlockHash, hash, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException(
                            $"The block source returned block {scan.BlockHash} when asked for {hash} at height {next}.");
                    }
                    if (tip is { } parent && !string.Equals(scan.PreviousBlockHash, parent.BlockHash, StringComparison.OrdinalIgnoreCase))
                    {
                        reorgSeen = true; // the node switched branches between our calls: walk back again
                        break;
                    }
                    if (pending.Count == 0)
                    {
                        batchStarted = _time.GetTimestamp();
                    }
                    pending.Add(scan);
                    pendingEntries += scan.Entries.Count;
                    tip = new ChainCheckpoint(next, hash);
                    next++;
                    if (pending.Count >= _options.MaxBatchBlocks || pendingEntries >= _options.MaxBatchEntries
                        || _time.GetElapsedTime(batchStarted) >= _options.MaxBatchDuration)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }
                if (!reorgSeen)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
                await DrainAsync().ConfigureAwait(false);
            }
            catch (Exception) when (writing is not null)
            {
                // Never leave a write running behind the caller's back: the next sync reads the store's tip.
                try
                {
                    await writing.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // the first failure is the one reported
                }
                throw;
            }
            if (reorgSeen)
            {
                // Blocks of the abandoned branch that were read but not written are dropped; the walk-back starts
                // from the store's tip.
                continue;
            }
            return new ChainSyncResult(applied, rolledBack, entries, malformed, tip) { CaughtUp = true, NodeTip = nodeTip };

            // One transaction for the blocks read since the last flush (INameStore.ApplyBlocksAsync): a crash loses
            // at most this batch, never part of it. It is written while the follower reads the next blocks; the
            // previous write has finished (committed) before this one starts.
            async Task FlushAsync()
            {
                if (pending.Count == 0)
                {
                    return;
                }
                var batch = pending.ToList();
                applied += batch.Count;
                entries += pendingEntries;
                malformed += batch.Sum(p => p.Malformed.Count);
                pending.Clear();
                pendingEntries = 0;
                await DrainAsync().ConfigureAwait(false);
                writing = Task.Run(() => store.ApplyBlocksAsync(batch, ct), ct);
            }

            async Task DrainAsync()
            {
                if (writing is { } running)
                {
                    writing = null;
                    await running.ConfigureAwait(false);
                }
            }
        }
    }
}
