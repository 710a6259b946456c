using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>Test double of our own <see cref="IBlockSource"/>: a best chain held in a list, reorganised by hand.</summary>
public sealed class InMemoryBlockSource : IBlockSource
{
    private readonly List<Block> _chain = [];
    private readonly Dictionary<string, Block> _known = new(StringComparer.Ordinal);

    public int GetBlockCalls { get; private set; }

    /// <summary>Runs before <see cref="GetBlockAsync"/> answers (to reorganise in the middle of a sync).</summary>
    public Action<int>? BeforeGetBlock { get; set; }

    public IReadOnlyList<Block> Chain => _chain;

    public int Tip => _chain.Count - 1;

    public void Add(Block block)
    {
        _chain.Add(block);
        _known[block.GetHash().ToString()] = block;
    }

    /// <summary>Drops the blocks above <paramref name="height"/> (they stay retrievable by hash, like a node's side chains).</summary>
    public void TruncateAbove(int height) => _chain.RemoveRange(height + 1, _chain.Count - height - 1);

    public Task<int> GetTipHeightAsync(CancellationToken ct) => Task.FromResult(Tip);

    public Task<string?> GetBlockHashAsync(int height, CancellationToken ct) =>
        Task.FromResult(height >= 0 && height < _chain.Count ? _chain[height].GetHash().ToString() : null);

    public Task<Block> GetBlockAsync(string blockHash, CancellationToken ct)
    {
        GetBlockCalls++;
        BeforeGetBlock?.Invoke(GetBlockCalls);
        return Task.FromResult(_known.TryGetValue(blockHash, out var b) ? b : throw new KeyNotFoundException(blockHash));
    }
}
