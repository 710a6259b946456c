using System.ComponentModel.DataAnnotations;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Node;

/// <summary>
/// The bounds a <see cref="GitTorrentNode"/> keeps against strangers (README, "Bounds of a node"): the portal reads them
/// from <c>GitTorrent__Limits__*</c>, the daemon from <c>GITTORRENT_*</c> variables (<see cref="Settings"/>). Each one
/// that bites is counted in the node's statistics (<see cref="NodeLimitStatistics"/>) and logged, a line per limit at
/// most every 10 s.
/// </summary>
public sealed record NodeLimits : IValidatableObject
{
    /// <summary>Pack builds (<c>git pack-objects</c>) at once; more requests are answered "busy". Default: the number of cores.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentPackBuilds { get; init; } = PackCache.DefaultMaxBuilds;

    /// <summary>Pack builds at once started for one requester address; more are answered "busy". Default 1.</summary>
    [Range(1, 1024)]
    public int MaxPackBuildsPerAddress { get; init; } = PackCache.DefaultMaxBuildsPerAddress;

    /// <summary>
    /// ut_gittorrent requests answered at once (each waits for a pack from the cache or a build); more are answered
    /// "busy" at once. Default 16.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; init; } = GitTorrentExtension.DefaultMaxConcurrentRequests;

    /// <summary>Connections peers opened to us (<see cref="TorrentEngineOptions.MaxInboundConnections"/>). Default 400.</summary>
    [Range(1, 100_000)]
    public int MaxInboundConnections { get; init; } = TorrentEngineOptions.DefaultMaxInboundConnections;

    /// <summary>Connections we dialled (<see cref="TorrentEngineOptions.MaxOutboundConnections"/>). Default 200.</summary>
    [Range(1, 100_000)]
    public int MaxOutboundConnections { get; init; } = TorrentEngineOptions.DefaultMaxOutboundConnections;

    /// <summary>Inbound connections from one address (<see cref="TorrentEngineOptions.MaxConnectionsPerAddress"/>). Default 20.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerAddress { get; init; } = TorrentEngineOptions.DefaultMaxConnectionsPerAddress;

    /// <summary>TCP connect plus BitTorrent handshake (<see cref="TorrentEngineOptions.HandshakeTimeout"/>). Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TorrentEngineOptions.DefaultHandshakeTimeout;

    /// <summary>Silence after which a bare ut_gittorrent connection is closed (<see cref="TorrentEngineOptions.BareIdleTimeout"/>). Default 30 s.</summary>
    public TimeSpan BareIdleTimeout { get; init; } = TorrentEngineOptions.DefaultBareIdleTimeout;

    /// <summary>
    /// Commits held in memory in the index of served commits (about 32 bytes each), over all served repositories; tips
    /// always fit, history beyond the bound is not served. Default 1,000,000.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxServedCommits { get; init; } = DefaultMaxServedCommits;

    public const int DefaultMaxServedCommits = 1_000_000;

    /// <summary>
    /// Payload bytes uploaded per second over all torrents (<see cref="TorrentEngineOptions.MaxUploadBytesPerSecond"/>); 0 =
    /// unlimited. Default 0.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxUploadBytesPerSecond { get; init; }

    /// <summary>
    /// Every limit with its daemon environment variable, its meaning and its default as README shows it; one table for the
    /// parser, the help and the documentation test.
    /// </summary>
    public static IReadOnlyList<NodeLimitSetting> Settings { get; } =
    [
        new("GITTORRENT_MAX_PACK_BUILDS", nameof(MaxConcurrentPackBuilds), "pack builds at once (default: the number of cores)",
            (l, v) => l with { MaxConcurrentPackBuilds = Int(v) }),
        new("GITTORRENT_MAX_PACK_BUILDS_PER_ADDRESS", nameof(MaxPackBuildsPerAddress), "pack builds at once for one peer address (default 1)",
            (l, v) => l with { MaxPackBuildsPerAddress = Int(v) }),
        new("GITTORRENT_MAX_REQUESTS", nameof(MaxConcurrentRequests), "ut_gittorrent requests answered at once (default 16)",
            (l, v) => l with { MaxConcurrentRequests = Int(v) }),
        new("GITTORRENT_MAX_INBOUND", nameof(MaxInboundConnections), "connections peers open to us (default 400)",
            (l, v) => l with { MaxInboundConnections = Int(v) }),
        new("GITTORRENT_MAX_OUTBOUND", nameof(MaxOutboundConnections), "connections we dial (default 200)",
            (l, v) => l with { MaxOutboundConnections = Int(v) }),
        new("GITTORRENT_MAX_CONNECTIONS_PER_ADDRESS", nameof(MaxConnectionsPerAddress), "inbound connections from one address (default 20)",
            (l, v) => l with { MaxConnectionsPerAddress = Int(v) }),
        new("GITTORRENT_HANDSHAKE_TIMEOUT", nameof(HandshakeTimeout), "connect plus handshake (default 00:00:10)",
            (l, v) => l with { HandshakeTimeout = Span(v) }),
        new("GITTORRENT_BARE_IDLE_TIMEOUT", nameof(BareIdleTimeout), "silence that closes a ut_gittorrent connection (default 00:00:30)",
            (l, v) => l with { BareIdleTimeout = Span(v) }),
        new("GITTORRENT_MAX_SERVED_COMMITS", nameof(MaxServedCommits), "commits in the in-memory index of served commits (default 1000000)",
            (l, v) => l with { MaxServedCommits = Int(v) }),
        new("GITTORRENT_MAX_UPLOAD_RATE", nameof(MaxUploadBytesPerSecond), "payload bytes uploaded per second in total, 0 = unlimited (default 0)",
            (l, v) => l with { MaxUploadBytesPerSecond = long.Parse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture) }),
    ];

    private static int Int(string value) => int.Parse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture);

    private static TimeSpan Span(string value) => TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be positive", [nameof(HandshakeTimeout)]);
        }
        if (BareIdleTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be positive", [nameof(BareIdleTimeout)]);
        }
    }

    /// <summary>Every problem with these values as "Name: reason", empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => $"{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}")];
    }
}
