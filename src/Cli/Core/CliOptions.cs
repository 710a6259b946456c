using System.Net;
using GitTorrent.Engine.Node;

namespace GitTorrent.Cli;

/// <summary>
/// The options every <c>gittorrent</c> command shares (INTERFACES.md "Common options"). Flags override environment
/// variables, which override defaults. Parsed once by <see cref="CliOptionsParser"/>.
/// </summary>
public sealed record CliOptions
{
    public const int DefaultDhtPort = 6881;
    public const int DefaultBtPort = 30000;
    public const string DefaultBind = "0.0.0.0";

    /// <summary>Identity, salts, state and config.json. Absolute.</summary>
    public required string Home { get; init; }

    /// <summary>DHT bootstrap nodes as <c>host:port</c>; null = the public mainline routers, empty = none.</summary>
    public IReadOnlyList<string>? Bootstrap { get; init; }

    /// <summary>UDP port of the DHT node (0 = any).</summary>
    public int DhtPort { get; init; } = DefaultDhtPort;

    /// <summary>TCP port for BitTorrent peers (0 = any).</summary>
    public int BtPort { get; init; } = DefaultBtPort;

    /// <summary>Address to bind and to announce.</summary>
    public IPAddress Bind { get; init; } = IPAddress.Any;

    /// <summary>Base URL of a portal whose <c>/api/names/{name}</c> resolves names; null = none.</summary>
    public Uri? Resolver { get; init; }

    /// <summary>Upper bound of the daemon's pack cache (<c>GITTORRENT_PACK_CACHE_BYTES</c>, env only). Default 4 GiB.</summary>
    public long PackCacheBytes { get; init; } = GitTorrentNodeOptions.DefaultPackCacheBytes;

    /// <summary>The node's bounds against strangers (<c>GITTORRENT_MAX_*</c> and timeouts, env only; <see cref="NodeLimits.Settings"/>).</summary>
    public NodeLimits Limits { get; init; } = new();

    /// <summary>DHT limits from <c>GITTORRENT_DHT__*</c> (env only); null = the <see cref="Engine.Dht.DhtOptions"/> defaults.</summary>
    public Engine.Dht.DhtOptions? Dht { get; init; }
    /// <summary>Accept a plain-http resolver on another host (<c>GITTORRENT_RESOLVER_ALLOW_HTTP=1</c>, env only; default false).</summary>
    public bool ResolverAllowHttp { get; init; }

    /// <summary>Scheme for the host URL form: <c>https</c>, or <c>http</c> for private/test origins (env only).</summary>
    public string OriginScheme { get; init; } = "https";

    /// <summary>
    /// How long a clone or fetch may look for a peer of its first tip before it fetches from the origin (host form) or
    /// fails (key and name forms); see <see cref="Engine.Fetch.TipFetchOptions.SwarmTimeout"/>.
    /// </summary>
    public TimeSpan SwarmTimeout { get; init; } = Engine.Fetch.TipFetchOptions.DefaultSwarmTimeout;
}
