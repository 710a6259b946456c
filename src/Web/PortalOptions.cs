using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GitTorrent.Web;

/// <summary>Portal settings, section <c>GitTorrent</c> (env <c>GitTorrent__DataDir</c> etc.).</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string SectionName = "GitTorrent";

    /// <summary>Data folder (database, mirrors, packs, DHT state); relative paths are beside the content root.
    /// After configuration it holds the absolute path.</summary>
    [Required]
    public string DataDir { get; set; } = GitTorrent.Data.DataDirectory.Default;

    /// <summary>Comma-separated <c>host:port</c> DHT bootstrap nodes; null = public mainline routers, empty = none.</summary>
    public string? Bootstrap { get; set; }

    /// <summary>UDP port of the DHT node (0 = any).</summary>
    [Range(0, 65535)]
    public int DhtPort { get; set; } = 6881;

    /// <summary>TCP port for BitTorrent peers (0 = any).</summary>
    [Range(0, 65535)]
    public int BtPort { get; set; } = 30000;

    /// <summary>Address to bind and to announce.</summary>
    [Required]
    public string Bind { get; set; } = "0.0.0.0";

    /// <summary>
    /// The portal's public base URL (e.g. <c>https://git.example.org</c>): pack torrents' web seeds
    /// (<c>{PublicUrl}/packs/{infohash}.pack</c>) and bundle URIs are made from it. Default: none, and the first URL the
    /// server listens on is used (<see cref="Web.PublicUrl"/>).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>How often the mirror scheduler looks for mirrors whose interval has passed (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MirrorPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a swarm fetch of a crawled repository may look for a peer of its first tip before it gives up until
    /// the next try (the engine's <see cref="Engine.Fetch.TipFetchOptions.SwarmTimeout"/>; default 3 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SwarmTimeout { get; set; } = Engine.Fetch.TipFetchOptions.DefaultSwarmTimeout;

    /// <summary>Crawled repositories fetched per round (every 10 s), taking turns over all of them (default 20).</summary>
    [Range(1, 10_000)]
    public int SwarmFetchesPerRound { get; set; } = 20;

    /// <summary>The wait before a crawled repository whose fetch failed is tried again; doubled after each failure in a row (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SwarmFetchRetry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between tries of a crawled repository that keeps failing (default 1 h).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SwarmFetchMaxRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Disk one user's repositories fetched from the swarm may take in the store (<c>repos/&lt;userId&gt;/</c>); a pack
    /// that would exceed it is not downloaded (counted on <c>/admin</c>). Default 2 GiB.
    /// </summary>
    [Range(0L, long.MaxValue)]
    public long UserQuotaBytes { get; set; } = 2L << 30;

    /// <summary>
    /// Comma-separated addresses or networks (<c>10.0.0.5</c>, <c>10.0.0.0/8</c>, <c>fd00::/8</c>) of reverse proxies
    /// whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed; empty (default) = none: the client is the
    /// socket's peer, and a request is HTTPS only if it came in over TLS. Behind a TLS proxy, list it here: cookies are
    /// then Secure and HSTS is sent, and per-address limits count the real clients.
    /// </summary>
    public string TrustedProxies { get; set; } = string.Empty;

    /// <summary>
    /// Redirect plain-HTTP requests (directly, or through a trusted proxy that says so) to HTTPS with 308, keeping path
    /// and query; <c>/healthz</c> and <c>/readyz</c> are answered as they come (a proxy's health checks). Default false:
    /// the TLS proxy usually redirects itself.
    /// </summary>
    public bool HttpsRedirect { get; set; }

    /// <summary>The port of the HTTPS URL <see cref="HttpsRedirect"/> sends clients to. Default 443.</summary>
    [Range(1, 65535)]
    public int HttpsPort { get; set; } = 443;

    /// <summary>The parsed <see cref="TrustedProxies"/>.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxyNetworks() =>
        [.. TrustedProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseNetwork).OfType<IPNetwork>()];

    private static IPNetwork? ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseNetwork(proxy) is null)
            {
                yield return new ValidationResult(
                    $"GitTorrent:TrustedProxies entries must be IP addresses or networks such as 10.0.0.0/8, not '{proxy}'.", [nameof(TrustedProxies)]);
            }
        }

        if (PublicUrl is { Length: > 0 } && !(Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUrl)
            && (publicUrl.Scheme == Uri.UriSchemeHttp || publicUrl.Scheme == Uri.UriSchemeHttps) && publicUrl.Query.Length == 0))
        {
            yield return new ValidationResult(
                $"GitTorrent:PublicUrl must be an absolute http or https URL such as https://git.example.org, not '{PublicUrl}'.", [nameof(PublicUrl)]);
        }

        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult(
                $"GitTorrent:Bind must be an IP address such as 0.0.0.0 or 127.0.0.1, not '{Bind}'.", [nameof(Bind)]);
        }

        foreach (var node in (Bootstrap ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = node.LastIndexOf(':');
            if (colon <= 0 || !ushort.TryParse(node.AsSpan(colon + 1), out var port) || port == 0)
            {
                yield return new ValidationResult(
                    $"GitTorrent:Bootstrap entries must be host:port, not '{node}'.", [nameof(Bootstrap)]);
            }
        }
    }
}
