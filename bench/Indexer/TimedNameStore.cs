using System.Diagnostics;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Bench.Indexer;

/// <summary>Times the batch writes of an <see cref="INameStore"/> (where an apply run spends its time).</summary>
internal sealed class TimedNameStore(INameStore inner) : INameStore
{
    public List<(int Blocks, int Entries, TimeSpan Took)> Writes { get; } = [];

    public Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct) => inner.GetTipAsync(ct);

    public Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct) => inner.GetProcessedBlockHashAsync(height, ct);

    public Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct) =>
        ApplyBlocksAsync([scan], ct);

    public async Task ApplyBlocksAsync(IReadOnlyList<BlockNameScan> blocks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await inner.ApplyBlocksAsync(blocks, ct);
        lock (Writes)
        {
            Writes.Add((blocks.Count, blocks.Sum(b => b.Entries.Count), clock.Elapsed));
        }
    }

    public Task RollbackBlockAsync(int height, CancellationToken ct) => inner.RollbackBlockAsync(height, ct);
}
