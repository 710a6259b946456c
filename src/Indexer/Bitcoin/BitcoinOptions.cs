using NBitcoin;

namespace GitTorrent.Indexer.Bitcoin;

/// <summary>
/// <c>GitTorrent:Bitcoin</c> settings (INTERFACES.md): <c>GitTorrent__Bitcoin__Rpc</c>, <c>__RpcUser</c>,
/// <c>__RpcPassword</c>, <c>__Network</c>, <c>__Confirmations</c>. No <see cref="Rpc"/> = name indexing off.
/// </summary>
public sealed class BitcoinOptions
{
    public const string Section = "GitTorrent:Bitcoin";

    /// <summary>bitcoind-compatible JSON-RPC URL; null or empty turns name indexing off.</summary>
    public string? Rpc { get; set; }

    public string? RpcUser { get; set; }

    public string? RpcPassword { get; set; }

    /// <summary>main, test, signet or regtest. Default main.</summary>
    public string Network { get; set; } = "main";

    /// <summary>Confirmations before an entry is final; null = 6, or 1 on regtest.</summary>
    public int? Confirmations { get; set; }

    /// <summary>How often the node is polled for new blocks. Default 10 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First block height to index on an empty database. Default 0.</summary>
    public int StartHeight { get; set; }

    /// <summary>Deepest reorganisation undone automatically (0 = no limit). Default 144; see <see cref="Names.ChainFollowerOptions.MaxReorgDepth"/>.</summary>
    public int MaxReorgDepth { get; set; } = 144;

    public bool Enabled => !string.IsNullOrWhiteSpace(Rpc);

    public Network ParsedNetwork => BitcoinNetworks.Parse(Network);

    public int EffectiveConfirmations => Confirmations ?? BitcoinNetworks.DefaultConfirmations(ParsedNetwork);

    /// <summary>Null when valid, else the first problem.</summary>
    public string? Validate()
    {
        if (Enabled && !(Uri.TryCreate(Rpc, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)))
        {
            return $"GitTorrent:Bitcoin:Rpc '{Rpc}' is not an http(s) URL.";
        }
        try
        {
            _ = ParsedNetwork;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        if (Confirmations is < 1)
        {
            return "GitTorrent:Bitcoin:Confirmations must be at least 1.";
        }
        if (PollInterval <= TimeSpan.Zero)
        {
            return "GitTorrent:Bitcoin:PollInterval must be positive.";
        }
        if (MaxReorgDepth < 0)
        {
            return "GitTorrent:Bitcoin:MaxReorgDepth must not be negative.";
        }
        return StartHeight < 0 ? "GitTorrent:Bitcoin:StartHeight must not be negative." : null;
    }
}
