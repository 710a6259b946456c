using GitTorrent.Indexer.Names;

namespace GitTorrent.Bench.Indexer;

/// <summary>Keeps only the checkpoints: the follower and OP_RETURN extraction without any database.</summary>
internal sealed class NullNameStore : INameStore
{
    private readonly Dictionary<int, string> _hashes = [];
    private ChainCheckpoint? _tip;

    public Task<ChainCheckpoint?> GetTipAsync(CancellationToken ct) => Task.FromResult(_tip);

    public Task<string?> GetProcessedBlockHashAsync(int height, CancellationToken ct) =>
        Task.FromResult(_hashes.TryGetValue(height, out var hash) ? hash : null);

    public Task ApplyBlockAsync(int height, string blockHash, BlockNameScan scan, CancellationToken ct)
    {
        _hashes[height] = blockHash;
        _tip = new ChainCheckpoint(height, blockHash);
        return Task.CompletedTask;
    }

    public Task RollbackBlockAsync(int height, CancellationToken ct)
    {
        _hashes.Remove(height);
        _tip = _hashes.Count == 0 ? null : new ChainCheckpoint(height - 1, _hashes[height - 1]);
        return Task.CompletedTask;
    }
}
