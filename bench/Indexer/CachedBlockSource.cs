using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Bench.Indexer;

/// <summary>Blocks fetched (or built) beforehand, served from memory: the apply rate without the node.</summary>
internal sealed class CachedBlockSource(IReadOnlyList<Block> chain) : IBlockSource
{
    private readonly string[] _hashes = [.. chain.Select(b => b.GetHash().ToString())];
    private readonly Dictionary<string, Block> _byHash = chain.ToDictionary(b => b.GetHash().ToString(), StringComparer.Ordinal);

    public Task<int> GetTipHeightAsync(CancellationToken ct) => Task.FromResult(chain.Count - 1);

    public Task<string?> GetBlockHashAsync(int height, CancellationToken ct) =>
        Task.FromResult(height >= 0 && height < _hashes.Length ? _hashes[height] : null);

    public Task<Block> GetBlockAsync(string blockHash, CancellationToken ct) => Task.FromResult(_byHash[blockHash]);
}
