using NBitcoin;

namespace GitTorrent.Indexer.Bitcoin;

/// <summary>The network names of <c>GitTorrent__Bitcoin__Network</c> and of <c>getblockchaininfo.chain</c>.</summary>
public static class BitcoinNetworks
{
    /// <summary>main, test (testnet3), signet or regtest; also Core's long forms mainnet/testnet.</summary>
    public static Network Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "main" or "mainnet" => Network.Main,
        "test" or "testnet" or "testnet3" => Network.TestNet,
        "signet" => NBitcoin.Bitcoin.Instance.Signet,
        "regtest" => Network.RegTest,
        _ => throw new ArgumentException($"Unknown Bitcoin network '{name}': use main, test, signet or regtest.", nameof(name)),
    };

    /// <summary>The <c>getblockchaininfo.chain</c> value of <paramref name="network"/>.</summary>
    public static string ChainName(Network network) =>
        network == Network.Main ? "main"
        : network == Network.TestNet ? "test"
        : network == Network.RegTest ? "regtest"
        : network == NBitcoin.Bitcoin.Instance.Signet ? "signet"
        : throw new ArgumentException($"Unsupported network {network}.", nameof(network));
}
