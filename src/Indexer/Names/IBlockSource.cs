using NBitcoin;

namespace GitTorrent.Indexer.Names;

/// <summary>The node's view of its best chain. Hashes are 64 lowercase hex in RPC display order.</summary>
public interface IBlockSource
{
    /// <summary>Height of the node's best block.</summary>
    Task<int> GetTipHeightAsync(CancellationToken ct);

    /// <summary>Hash of the best-chain block at <paramref name="height"/>, or null above the tip.</summary>
    Task<string?> GetBlockHashAsync(int height, CancellationToken ct);

    /// <summary>The block with <paramref name="blockHash"/>, parsed for the node's network.</summary>
    Task<Block> GetBlockAsync(string blockHash, CancellationToken ct);
}
