using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Indexer;

/// <summary>The Bitcoin node the name indexer follows (section <c>GitTorrent:Bitcoin</c>).</summary>
public sealed class BitcoinOptions : IValidatableObject
{
    public const string SectionName = "GitTorrent:Bitcoin";

    /// <summary>bitcoind-compatible JSON-RPC URL (http or https); absent = name indexing off.</summary>
    public string? Rpc { get; set; }

    public string? RpcUser { get; set; }

    public string? RpcPassword { get; set; }

    /// <summary><c>main</c> (default), <c>test</c>, <c>signet</c> or <c>regtest</c>.</summary>
    [Required]
    [AllowedValues("main", "test", "signet", "regtest")]
    public string Network { get; set; } = "main";

    /// <summary>Confirmations before an entry is final; default 6, or 1 on regtest.</summary>
    [Range(1, 1000)]
    public int? Confirmations { get; set; }

    public bool NameIndexingEnabled => !string.IsNullOrWhiteSpace(Rpc);

    public int EffectiveConfirmations => Confirmations ?? (Network == "regtest" ? 1 : 6);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NameIndexingEnabled
            && (!Uri.TryCreate(Rpc, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"GitTorrent:Bitcoin:Rpc must be an http(s) URL such as http://127.0.0.1:8332/, not '{Rpc}'.",
                [nameof(Rpc)]);
        }
    }
}
