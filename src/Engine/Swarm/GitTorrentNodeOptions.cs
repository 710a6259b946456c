using System.Net;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Swarm;

/// <summary>How a <see cref="GitTorrentNode"/> binds, where it keeps state, and its limits.</summary>
public sealed class GitTorrentNodeOptions
{
    /// <summary>State folder: <c>dht/</c> (routing table) and <c>packs/</c> (pack cache) live below it.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Address for both the DHT (UDP) and BitTorrent (TCP) sockets.</summary>
    public IPAddress Bind { get; init; } = IPAddress.Any;

    /// <summary>UDP port of the DHT node; 0 = any.</summary>
    public int DhtPort { get; init; }

    /// <summary>TCP port for BitTorrent peers; 0 = any.</summary>
    public int BtPort { get; init; }

    /// <summary>DHT bootstrap nodes as host:port. Empty: none (the caller decides about public routers).</summary>
    public IList<string> Bootstrap { get; init; } = [];

    /// <summary>Upper bound of the pack cache on disk: packs, builds under way and request files together. Default 4 GiB.</summary>
    public long PackCacheBytes { get; init; } = 4L << 30;

    /// <summary>Pack builds (<c>git pack-objects</c>) at once; more requests are answered "busy". Default: the number of cores.</summary>
    public int MaxConcurrentPackBuilds { get; init; } = PackCache.DefaultMaxBuilds;

    /// <summary>Pack builds at once started for one requester address; more are answered "busy". Default 1.</summary>
    public int MaxPackBuildsPerAddress { get; init; } = PackCache.DefaultMaxBuildsPerAddress;

    /// <summary>Connections peers opened to us (<see cref="SwarmOptions.MaxInboundConnections"/>). Default 400.</summary>
    public int MaxInboundConnections { get; init; } = SwarmOptions.DefaultMaxInboundConnections;

    /// <summary>Connections we dialled (<see cref="SwarmOptions.MaxOutboundConnections"/>). Default 200.</summary>
    public int MaxOutboundConnections { get; init; } = SwarmOptions.DefaultMaxOutboundConnections;

    /// <summary>Inbound connections from one address (<see cref="SwarmOptions.MaxConnectionsPerAddress"/>). Default 20.</summary>
    public int MaxConnectionsPerAddress { get; init; } = SwarmOptions.DefaultMaxConnectionsPerAddress;

    /// <summary>TCP connect plus BitTorrent handshake (<see cref="SwarmOptions.HandshakeTimeout"/>). Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = SwarmOptions.DefaultHandshakeTimeout;

    /// <summary>Silence after which a bare ut_gittorrent connection is closed (<see cref="SwarmOptions.BareIdleTimeout"/>). Default 30 s.</summary>
    public TimeSpan BareIdleTimeout { get; init; } = SwarmOptions.DefaultBareIdleTimeout;

    /// <summary>
    /// Most commits held in memory in the index of served commits (about 32 bytes each), over all served repositories;
    /// tips always fit, history beyond the bound is not served. Default 1,000,000.
    /// </summary>
    public int MaxServedCommits { get; init; } = 1_000_000;

    /// <summary>When set, pack torrents carry a BEP 19 web seed: <c>{WebSeedBaseUrl}/packs/{infohash}.pack</c>.</summary>
    public string? WebSeedBaseUrl { get; init; }

    /// <summary>The port announced for served commits; 0 = the BitTorrent listener's own port.</summary>
    public int AnnouncePort { get; init; }

    /// <summary>How long a client waits for a seeder's ut_gittorrent answer.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pack download may go without progress before the peer group is given up.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a fetch of one commit may take in all before it gives up on the swarm.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Seed packs with adaptive super-seeding (<see cref="SwarmOptions.AdaptiveSeeding"/>): a lone clone is served at
    /// full speed, simultaneous clones are shown disjoint pieces and trade the rest. Default true.
    /// </summary>
    public bool AdaptiveSeeding { get; init; } = true;

    /// <summary>Extra peers asked for every commit besides those the DHT finds (tests, private networks).</summary>
    public IList<IPEndPoint> ExtraPeers { get; init; } = [];

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
