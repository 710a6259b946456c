using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>
/// The BitTorrent node: one TCP listener serving many torrents (the handshake's info_hash selects the torrent),
/// downloads by metainfo or infohash alone (metadata via ut_metadata), a BEP 10 extension registry, a hook for
/// handshakes naming no torrent (ut_gittorrent), and statistics per torrent and per peer.
/// </summary>
public sealed partial class TorrentEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Hash20, TorrentSession> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _bareConnections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private readonly ConnectionLimiter _limits;
    private readonly LimitLog _limitLog;
    private long _handshakeTimeouts;
    private long _idleClosed;
    private long _unknownInfoHashes;

    public TorrentEngine(TorrentEngineOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        Options = options ?? new TorrentEngineOptions();
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TorrentEngine>();
        TimeProvider = timeProvider ?? TimeProvider.System;
        _limits = new ConnectionLimiter(Options);
        _limitLog = new LimitLog(Logger, TimeProvider);
        UploadLimit = Options.MaxUploadBytesPerSecond > 0 ? new TokenBucket(Options.MaxUploadBytesPerSecond, TimeProvider) : null;
        PeerId = NewPeerId();
        Extensions.Register(new UtMetadataExtension());
        if (Options.PeerExchange)
        {
            Extensions.Register(new UtPexExtension());
        }
    }

    public TorrentEngineOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Our 20-byte peer id: Azureus style <c>-GT0001-</c> followed by 12 random bytes.</summary>
    public Hash20 PeerId { get; }

    /// <summary>BEP 10 extensions; <c>ut_metadata</c> is registered by the engine, others add theirs before connecting.</summary>
    public ExtensionRegistry Extensions { get; } = new();

    /// <summary>Accepts or refuses inbound handshakes whose info_hash is no torrent of ours; null refuses them all.</summary>
    public IUnknownInfoHashHandler? UnknownInfoHashHandler { get; set; }

    /// <summary>The listener's endpoint once started.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public int Port => LocalEndPoint?.Port ?? 0;

    internal ILogger Logger { get; }

    internal TokenBucket? UploadLimit { get; }

    /// <summary>For BEP 19 web seeds.</summary>
    internal HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static Hash20 NewPeerId()
    {
        Span<byte> id = stackalloc byte[Hash20.Length];
        Encoding.ASCII.GetBytes("-GT0001-", id);
        RandomNumberGenerator.Fill(id[8..]);
        return new Hash20(id);
    }

    /// <summary>Binds the TCP listener and starts accepting peers.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new Socket(Options.ListenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(Options.ListenAddress, Options.ListenPort));
        listener.Listen(256);
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        ClientLog.Listening(Logger, LocalEndPoint);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener, _stop.Token));
        return Task.CompletedTask;
    }

    /// <summary>Serves the complete file at <paramref name="filePath"/> as <paramref name="metainfo"/>.</summary>
    public async Task AddSeedAsync(TorrentMetainfo metainfo, string filePath, CancellationToken cancellationToken)
    {
        var session = await TorrentSession.CreateSeedAsync(this, metainfo, filePath, cancellationToken).ConfigureAwait(false);
        if (!_sessions.TryAdd(metainfo.InfoHash, session))
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new GitTorrentException($"Torrent {metainfo.InfoHash} is already added.");
        }
        await session.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Seeds and announces to <paramref name="discovery"/> (e.g. the DHT) periodically.</summary>
    public async Task AddSeedAsync(TorrentMetainfo metainfo, string filePath, IPeerDiscovery discovery,
        CancellationToken cancellationToken)
    {
        await AddSeedAsync(metainfo, filePath, cancellationToken).ConfigureAwait(false);
        _ = AnnounceLoopAsync(metainfo.InfoHash, discovery, _stop.Token);
    }

    private async Task AnnounceLoopAsync(Hash20 infoHash, IPeerDiscovery discovery, CancellationToken cancellationToken)
    {
        while (_sessions.ContainsKey(infoHash) && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await discovery.AnnounceAsync(infoHash, Port, cancellationToken).ConfigureAwait(false);
                await Task.Delay(Options.AnnounceInterval, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                ClientLog.DiscoveryFailed(Logger, infoHash, e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMinutes(1), TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Downloads <paramref name="metainfo"/> to <paramref name="destinationPath"/>, resuming from what is on disk, and
    /// returns when every piece is verified and written. The torrent stays in the engine as a seed afterwards.
    /// </summary>
    /// <summary>What went wrong in downloads that failed or were cancelled, for error messages.</summary>
    private readonly ConcurrentDictionary<Hash20, DownloadTrouble> _failedTrouble = new();

    public Task<TorrentMetainfo> DownloadAsync(TorrentMetainfo metainfo, string destinationPath, IPeerDiscovery? discovery,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        DownloadCoreAsync(metainfo.InfoHash, metainfo, destinationPath, discovery, progress, 0, TimeSpan.Zero, null, cancellationToken);

    /// <summary>
    /// Like <see cref="DownloadAsync(TorrentMetainfo, string, IPeerDiscovery?, IProgress{DownloadProgress}?, CancellationToken)"/>,
    /// read in order while it downloads through <paramref name="stream"/> (see <see cref="VerifiedPrefixStream"/>).
    /// </summary>
    public Task<TorrentMetainfo> DownloadAsync(TorrentMetainfo metainfo, string destinationPath, IPeerDiscovery? discovery,
        VerifiedPrefixStream stream, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        DownloadCoreAsync(metainfo.InfoHash, metainfo, destinationPath, discovery, progress, 0, TimeSpan.Zero, stream, cancellationToken);

    /// <summary>
    /// Downloads a torrent known only by its infohash (a magnet link): the info dictionary comes from peers over
    /// ut_metadata (BEP 9) and is checked against <paramref name="infoHash"/>. Returns the metainfo it got.
    /// </summary>
    public Task<TorrentMetainfo> DownloadAsync(Hash20 infoHash, string destinationPath, IPeerDiscovery? discovery,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        DownloadCoreAsync(infoHash, null, destinationPath, discovery, progress, 0, TimeSpan.Zero, null, cancellationToken);

    /// <summary>
    /// Like <see cref="DownloadAsync(Hash20, string, IPeerDiscovery?, IProgress{DownloadProgress}?, CancellationToken)"/>,
    /// but requests no block until <paramref name="waitForPeers"/> peers are ready to send or <paramref name="waitAtMost"/>
    /// has passed, so the blocks are spread over peers known to have the torrent (e.g. those that answered ut_gittorrent).
    /// </summary>
    public Task<TorrentMetainfo> DownloadAsync(Hash20 infoHash, string destinationPath, IPeerDiscovery? discovery,
        int waitForPeers, TimeSpan waitAtMost, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        DownloadCoreAsync(infoHash, null, destinationPath, discovery, progress, waitForPeers, waitAtMost, null, cancellationToken);

    /// <summary>
    /// Like <see cref="DownloadAsync(Hash20, string, IPeerDiscovery?, int, TimeSpan, IProgress{DownloadProgress}?, CancellationToken)"/>,
    /// and the file is read in order while it downloads: <paramref name="stream"/> yields the verified bytes from the
    /// start of the file as they arrive, and pieces near its front are picked in order
    /// (<see cref="TorrentEngineOptions.StreamWindowBytes"/>), the rest rarest first.
    /// </summary>
    public Task<TorrentMetainfo> DownloadAsync(Hash20 infoHash, string destinationPath, IPeerDiscovery? discovery,
        int waitForPeers, TimeSpan waitAtMost, VerifiedPrefixStream stream, IProgress<DownloadProgress>? progress,
        CancellationToken cancellationToken) =>
        DownloadCoreAsync(infoHash, null, destinationPath, discovery, progress, waitForPeers, waitAtMost, stream, cancellationToken);

    private async Task<TorrentMetainfo> DownloadCoreAsync(Hash20 infoHash, TorrentMetainfo? metainfo, string destinationPath,
        IPeerDiscovery? discovery, IProgress<DownloadProgress>? progress, int waitForPeers, TimeSpan waitAtMost,
        VerifiedPrefixStream? stream, CancellationToken cancellationToken)
    {
        var session = TorrentSession.CreateDownload(this, infoHash, metainfo, destinationPath, discovery, progress, stream);
        session.HoldRequestsFor(waitForPeers, waitAtMost);
        if (!_sessions.TryAdd(infoHash, session))
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new GitTorrentException($"Torrent {infoHash} is already added.");
        }
        try
        {
            await session.StartAsync(cancellationToken).ConfigureAwait(false);
            return await session.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (_sessions.TryRemove(new KeyValuePair<Hash20, TorrentSession>(infoHash, session)))
            {
                _failedTrouble[infoHash] = session.GetTrouble();
                await session.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>Stops serving or downloading a torrent and closes its connections (the file stays).</summary>
    public async Task RemoveAsync(Hash20 infoHash, CancellationToken cancellationToken)
    {
        if (_sessions.TryRemove(infoHash, out var session))
        {
            await session.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public bool Contains(Hash20 infoHash) => _sessions.ContainsKey(infoHash);

    /// <summary>The info dictionary of a torrent once known (after ut_metadata for magnet downloads).</summary>
    public TorrentMetainfo? GetMetainfo(Hash20 infoHash) =>
        _sessions.TryGetValue(infoHash, out var session) ? session.Metainfo : null;

    public TorrentStatistics? GetStatistics(Hash20 infoHash) =>
        _sessions.TryGetValue(infoHash, out var session) ? session.GetStatistics() : null;

    /// <summary>Payload bytes downloaded from each peer of a torrent, including peers no longer connected.</summary>
    public IReadOnlyDictionary<IPEndPoint, long> GetDownloadedByPeer(Hash20 infoHash) =>
        _sessions.TryGetValue(infoHash, out var session) ? session.GetDownloadedByPeer() : new Dictionary<IPEndPoint, long>();

    /// <summary>Pieces of a torrent that failed their hash check and the peers banned for it, or null if not added.</summary>
    public DownloadTrouble? GetTrouble(Hash20 infoHash) =>
        _sessions.TryGetValue(infoHash, out var session) ? session.GetTrouble() : _failedTrouble.GetValueOrDefault(infoHash);

    public DownloadProgress? GetProgress(Hash20 infoHash) =>
        _sessions.TryGetValue(infoHash, out var session) ? session.GetProgress() : null;

    /// <summary>Totals and per-torrent, per-peer rows (the shape of stats.json).</summary>
    public EngineStatistics GetStatistics()
    {
        var torrents = _sessions.Values.Select(s => s.GetStatistics()).ToList();
        return new EngineStatistics(torrents.Sum(t => t.Uploaded), torrents.Sum(t => t.Downloaded),
            torrents.Sum(t => t.Peers.Count), torrents);
    }

    /// <summary>
    /// Cheap pre-dial check for our own listener (other nodes use the same default port, so only loopback or our
    /// bound address count); a self-connection through another address is still refused by the peer id check.
    /// </summary>
    internal bool IsOwnEndPoint(IPEndPoint endPoint) =>
        LocalEndPoint is { } local && endPoint.Port == local.Port
        && (endPoint.Address.Equals(local.Address) || IPAddress.IsLoopback(endPoint.Address));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        foreach (var key in _sessions.Keys)
        {
            if (_sessions.TryRemove(key, out var session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
        try
        {
            await Task.WhenAll(_bareConnections.Keys).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
        Http.Dispose();
        _stop.Dispose();
    }
}
