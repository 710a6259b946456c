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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
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
