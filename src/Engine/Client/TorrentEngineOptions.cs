using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GitTorrent.Engine.Client;

/// <summary>Settings of the BitTorrent engine. Defaults are documented on each property.</summary>
public sealed class TorrentEngineOptions
{
    /// <summary>Address the TCP listener binds; default 0.0.0.0.</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Any;

    /// <summary>TCP port for peers; 0 picks a free one. Default 30000 (INTERFACES.md).</summary>
    [Range(0, 65535)]
    public int ListenPort { get; set; } = 30000;

    /// <summary>
    /// Blocks kept requested from an unchoked, non-snubbed peer at least (the issue asks for >= 64). Default 128.
    /// Fast peers get more: enough blocks for <see cref="RequestQueueTime"/> at their measured rate, up to
    /// <see cref="MaxPipelineDepth"/> and the peer's own <c>reqq</c>.
    /// </summary>
    [Range(1, 2000)]
    public int PipelineDepth { get; set; } = 128;

    /// <summary>Upper bound of the adaptive pipeline, in 16 KiB blocks. Default 1000 (16 MiB).</summary>
    [Range(1, 10000)]
    public int MaxPipelineDepth { get; set; } = 1000;

    /// <summary>How much of a peer's rate the adaptive pipeline keeps requested. Default 0.5 s.</summary>
    public TimeSpan RequestQueueTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Regular unchoke slots of the tit-for-tat choker (one optimistic slot comes on top). Default 8 (libtorrent's default).</summary>
    [Range(1, 1000)]
    public int UnchokeSlots { get; set; } = 8;

    /// <summary>How often the choker re-ranks peers (BEP 3 practice: 10 s).</summary>
    public TimeSpan ChokeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the optimistic unchoke rotates (BEP 3 practice: 30 s).</summary>
    public TimeSpan OptimisticUnchokeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A peer that sends nothing (not even a keep-alive) for this long is dropped. Default 2 min.</summary>
    public TimeSpan PeerIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Keep-alive after this long without sending. Default 90 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>A peer with requests outstanding and no block for this long is snubbed. Default 30 s.</summary>
    public TimeSpan SnubTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>TCP connect plus handshake must finish within this. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = DefaultHandshakeTimeout;

    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often peer sources are asked again while a download runs. Default 30 s.</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the node re-announces torrents it serves (docs/PROTOCOL.md: at least every 30 min).</summary>
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromMinutes(25);

    /// <summary>Connections per torrent. Default 60.</summary>
    [Range(1, 10000)]
    public int MaxConnectionsPerTorrent { get; set; } = 60;

    /// <summary>Connections peers opened to us, in total (torrent peers and bare ut_gittorrent ones). Default 400.</summary>
    [Range(1, 100000)]
    public int MaxInboundConnections { get; set; } = DefaultMaxInboundConnections;

    public const int DefaultMaxInboundConnections = 400;

    /// <summary>
    /// Connections we dialled, in total; apart from the inbound ones, so that strangers holding sockets open cannot stop
    /// our own fetches. Default 200.
    /// </summary>
    [Range(1, 100000)]
    public int MaxOutboundConnections { get; set; } = DefaultMaxOutboundConnections;

    public const int DefaultMaxOutboundConnections = 200;

    /// <summary>
    /// Inbound connections from one IP address at once. Default 20: a client fetching eight tips at a time while it
    /// downloads their packs needs about 16.
    /// </summary>
    [Range(1, 100000)]
    public int MaxConnectionsPerAddress { get; set; } = DefaultMaxConnectionsPerAddress;

    public const int DefaultMaxConnectionsPerAddress = 20;

    /// <summary>
    /// A bare connection (ut_gittorrent, no torrent) on which no extension message arrives for this long, while no request
    /// of it is being served, is closed; keep-alives do not count. Default 30 s (a client waits 10 s for an answer).
    /// </summary>
    public TimeSpan BareIdleTimeout { get; set; } = DefaultBareIdleTimeout;

    public static readonly TimeSpan DefaultBareIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Upload limit in bytes per second over all torrents; 0 = unlimited (default).</summary>
    [Range(0, long.MaxValue)]
    public long MaxUploadBytesPerSecond { get; set; }

    /// <summary>Memory for pieces being downloaded, per torrent. Default 32 MiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPartialPieceBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// A download read in order while it arrives (a pack streamed into <c>git index-pack</c>): pieces this far ahead
    /// of the first missing one are started in file order, the rest rarest first. Default 16 MiB (the deepest pipeline).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long StreamWindowBytes { get; set; } = DefaultStreamWindowBytes;

    public const long DefaultStreamWindowBytes = 16L * 1024 * 1024;

    /// <summary>Failed pieces a peer may contribute to before it is banned. Default 2.</summary>
    [Range(1, 100)]
    public int StrikesBeforeBan { get; set; } = 2;

    /// <summary>
    /// Serve seeded torrents with BEP 16 super-seeding: each peer is shown one piece at a time that few others
    /// have, so a seeder uploads little more than one copy. Default false.
    /// </summary>
    public bool SuperSeeding { get; set; }

    /// <summary>
    /// Adaptive super-seeding for seeds: while one peer downloads it is served like a normal seed (a wide window of
    /// pieces, shown with HAVE messages instead of a bitfield); as soon as two or more download at once, each peer is
    /// shown only pieces nobody else has (BEP 16), so the seed sends each piece about once and the peers trade the rest.
    /// A peer that gets nothing from other peers for a second is shown pieces others have too. Ignored when
    /// <see cref="SuperSeeding"/> is set. Default false; the git node turns it on for pack torrents.
    /// </summary>
    public bool AdaptiveSeeding { get; set; }

    /// <summary>
    /// BEP 11 peer exchange (<c>ut_pex</c>): tell each peer the other peers of the torrent once after the handshake and
    /// then as changes at most once a minute; a downloading torrent dials peers it learns this way. Default true.
    /// </summary>
    public bool PeerExchange { get; set; } = true;

    /// <summary>Client name in the BEP 10 handshake (<c>v</c>).</summary>
    public string ClientName { get; set; } = "GitTorrent 0.1";
}
