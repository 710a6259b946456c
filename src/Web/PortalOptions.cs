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
    /// How often each mirror's origin is compared with what the portal serves (<c>git ls-remote</c>); also right after
    /// every sync. Default 10 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan OriginCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one origin's <c>git ls-remote</c> may take before the origin counts as unreachable (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan OriginCheckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most bytes of ref advertisement read from one origin; more counts as unreachable (default 4 MiB).</summary>
    [Range(1024, 1L << 30)]
    public long OriginCheckMaxBytes { get; set; } = 4L << 20;

    /// <summary>How often the DHT is asked for the peers of each served repository's tip (default 5 min).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SeederCountInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Repositories whose seeders are counted per round (at most one <c>get_peers</c> lookup each; default 200).</summary>
    [Range(1, 100_000)]
    public int SeederCountsPerRound { get; set; } = 200;

    /// <summary>How often the bytes counted per repository are written to the database as a sample (default 1 min).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan TrafficSampleInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long traffic samples are kept (the chart shows the last 24 h; default 7 days).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "366.00:00:00")]
    public TimeSpan TrafficRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most traffic sample rows kept; the oldest go first (default 200,000).</summary>
    [Range(100, 100_000_000)]
    public int TrafficMaxSamples { get; set; } = 200_000;

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

    /// <summary>
    /// Comma-separated addresses or networks allowed to read <c>/metrics</c>; others get 404. Default loopback only
    /// (<c>127.0.0.0/8,::1/128</c>): a Prometheus on the same host or in a sidecar; name its network to scrape from
    /// elsewhere, or <c>0.0.0.0/0,::/0</c> to make it public. Behind a trusted proxy the client is the forwarded address.
    /// </summary>
    public string MetricsAllowedNetworks { get; set; } = "127.0.0.0/8,::1/128";

    /// <summary>The parsed <see cref="MetricsAllowedNetworks"/>.</summary>
    public IReadOnlyList<IPNetwork> MetricsNetworks() =>
        [.. MetricsAllowedNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseNetwork).OfType<IPNetwork>()];

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

        foreach (var network in MetricsAllowedNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseNetwork(network) is null)
            {
                yield return new ValidationResult(
                    $"GitTorrent:MetricsAllowedNetworks entries must be IP addresses or networks such as 10.0.0.0/8, not '{network}'.", [nameof(MetricsAllowedNetworks)]);
            }
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
