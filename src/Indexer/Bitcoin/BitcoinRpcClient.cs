using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using NBitcoin;

namespace GitTorrent.Indexer.Bitcoin;

/// <summary>
/// The node as an <see cref="IBlockSource"/>: JSON-RPC over <see cref="BitcoinRpc"/> (getblockchaininfo,
/// getblockcount, getblockhash, getbestblockhash, getblock &lt;hash&gt; 0), blocks parsed by NBitcoin for
/// <see cref="Network"/>. Works with Bitcoin Core and bcoin.
/// </summary>
public sealed class BitcoinRpcClient(BitcoinRpc rpc, Network network) : IBlockSource
{
    /// <summary>Bitcoin Core and bcoin answer getblockhash above the tip with this code.</summary>
    public const int InvalidParameterCode = -8;

    public BitcoinRpcClient(HttpClient http, Uri url, string? user, string? password, string network)
        : this(new BitcoinRpc(http, url, user, password), BitcoinNetworks.Parse(network))
    {
    }

    public BitcoinRpc Rpc { get; } = rpc;

    public Network Network { get; } = network;

    public Task<BlockchainInfo> GetBlockchainInfoAsync(CancellationToken ct) => Rpc.GetBlockchainInfoAsync(ct);

    /// <summary>Throws a <see cref="BitcoinRpcException"/> when the node is on another chain than <see cref="Network"/>.</summary>
    public async Task<BlockchainInfo> VerifyNetworkAsync(CancellationToken ct)
    {
        var info = await Rpc.GetBlockchainInfoAsync(ct).ConfigureAwait(false);
        var expected = BitcoinNetworks.ChainName(Network);
        if (!string.Equals(info.Chain, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new BitcoinRpcException(
                $"The Bitcoin node at {Rpc.Url} is on chain '{info.Chain}', but the configured network is '{expected}'.",
                Rpc.Url, "getblockchaininfo");
        }
        return info;
    }

    public Task<int> GetTipHeightAsync(CancellationToken ct) => Rpc.GetBlockCountAsync(ct);

    public Task<string> GetBestBlockHashAsync(CancellationToken ct) => Rpc.GetBestBlockHashAsync(ct);

    public async Task<string?> GetBlockHashAsync(int height, CancellationToken ct)
    {
        try
        {
            return await Rpc.GetBlockHashAsync(height, ct).ConfigureAwait(false);
        }
        catch (BitcoinRpcException e) when (e.RpcCode == InvalidParameterCode)
        {
            return null;
        }
    }

    public async Task<Block> GetBlockAsync(string blockHash, CancellationToken ct)
    {
        var hex = await Rpc.GetBlockHexAsync(blockHash, ct).ConfigureAwait(false);
        try
        {
            return Block.Parse(hex, Network);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or EndOfStreamException or InvalidOperationException)
        {
            throw new BitcoinRpcException(
                $"The Bitcoin node at {Rpc.Url} returned block {blockHash} that does not parse for {Network}: {e.Message}",
                Rpc.Url, "getblock", inner: e);
        }
    }
}
