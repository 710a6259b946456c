using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Node;

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
    public long PackCacheBytes { get; init; } = DefaultPackCacheBytes;

    public const long DefaultPackCacheBytes = 4L << 30;

    /// <summary>The bounds kept against strangers: pack builds, connections, timeouts, the index of served commits.</summary>
    public NodeLimits Limits { get; init; } = new();

    /// <summary>
    /// The largest pack this node downloads (the torrent's length, known once its metadata arrived); a larger one is
    /// refused before its pieces are stored and the fetch tries the next answer. Default 8 GiB.
    /// </summary>
    public long MaxPackBytes { get; init; } = 8L << 30;

    /// <summary>
    /// Keep seeding each downloaded pack (from its copy in <c>downloads/</c>) until the fetcher is disposed: a clone
    /// shares what it got while it runs. False for a host that serves the imported repository itself (the portal): the
    /// copy is deleted right after the import, so no pack is kept twice. Default true.
    /// </summary>
    public bool SeedDownloadedPacks { get; init; } = true;

    /// <summary>
    /// Import a pack while it downloads: its verified pieces go into <c>git index-pack --stdin</c> in file order as
    /// they arrive (pieces near that front are picked in order), so indexing overlaps the transfer. False: the whole
    /// pack is downloaded first, then indexed. Either way only verified pieces reach git, and a refused pack leaves
    /// nothing behind. Default true.
    /// </summary>
    public bool StreamPackImport { get; init; } = true;

    /// <summary>
    /// When set and it gives a URL, pack torrents carry a BEP 19 web seed (<c>url-list</c>):
    /// <c>{base}/packs/{infohash}.pack</c>. Asked each time a torrent is made (a host may learn its URL after start).
    /// </summary>
    public Func<string?>? WebSeedBaseUrl { get; init; }

    /// <summary>The port announced for served commits; 0 = the BitTorrent listener's own port.</summary>
    public int AnnouncePort { get; init; }

    /// <summary>How long a client waits for a seeder's ut_gittorrent answer.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pack download may go without progress before the peer group is given up.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a fetch of one commit may take in all before it gives up on the swarm.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Seed packs with adaptive super-seeding (<see cref="TorrentEngineOptions.AdaptiveSeeding"/>): a lone clone is served at
    /// full speed, simultaneous clones are shown disjoint pieces and trade the rest. Default true.
    /// </summary>
    public bool AdaptiveSeeding { get; init; } = true;

    /// <summary>Extra peers asked for every commit besides those the DHT finds (tests, private networks).</summary>
    public IList<IPEndPoint> ExtraPeers { get; init; } = [];

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The DHT node's limits and timeouts (<see cref="DhtOptions"/>; null = its defaults). Copied at start; the
    /// bind address, port, bootstrap list, state folder and clock always come from this class.
    /// </summary>
    public DhtOptions? Dht { get; init; }
}
