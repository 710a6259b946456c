using System.Net;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;
using Microsoft.Extensions.Logging;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Client;

/// <summary>
/// One torrent inside the engine: its peers, picker, store and counters. Mutable state is guarded by one lock
/// (<see cref="_gate"/>) that receive loops, the writer callback and the timer take briefly; nothing awaits under
/// it, and sends only queue to the connections' send loops.
/// </summary>
internal sealed partial class TorrentSession : IBlockReader, IMetadataHost, IAsyncDisposable
{
    private readonly TorrentEngine _engine;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<PeerConnection, PeerState> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<TorrentMetainfo> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TorrentMetainfo> _metadata = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _background = [];
    private readonly Dictionary<System.Net.IPEndPoint, long> _downloadedByPeer = [];
    private int _hashFailures;
    private long _uploaded;
    private long _downloaded;
    private Bitfield? _have;
    private PickingMachine<PeerState>? _picking;
    private PieceStore? _store;
    private readonly ChokingMachine<PeerState> _choking;
    private readonly long _clockStart;

    private TorrentSession(TorrentEngine engine, Hash20 infoHash, TorrentMetainfo? metainfo, string path, bool seeding)
    {
        _engine = engine;
        _logger = engine.Logger;
        InfoHash = infoHash;
        Metainfo = metainfo;
        Path = path;
        IsSeeding = seeding;
        _clockStart = engine.TimeProvider.GetTimestamp();
        _choking = new ChokingMachine<PeerState>(engine.Options.UnchokeSlots, engine.Options.ChokeInterval,
            engine.Options.OptimisticUnchokeInterval, TimeSpan.Zero);
        _metadataExchange = metainfo is null ? new MetadataMachine<PeerState>(infoHash) : null;
        _bans = new BanMachine<PeerState, string>(engine.Options.StrikesBeforeBan, p => BanKey(p.Connection));
        _pex = new PeerExchangeMachine<PeerState>(engine.Options.PeerExchange, engine.Options.MaxConnectionsPerTorrent,
            engine.IsOwnEndPoint);
        if (metainfo is not null)
        {
            _pex.MetadataKnown(metainfo.IsPrivate, seeding);
        }
    }

    public Hash20 InfoHash { get; }

    public TorrentMetainfo? Metainfo { get; private set; }

    public string Path { get; }

    /// <summary>Added as a seed (complete file, read-only).</summary>
    public bool IsSeeding { get; }

    public IPeerDiscovery? Discovery { get; private set; }

    public IProgress<DownloadProgress>? Progress { get; private set; }

    public Task<TorrentMetainfo> Completion => _complete.Task;

    public Task<TorrentMetainfo> MetadataAvailable => _metadata.Task;

    public ReadOnlyMemory<byte> InfoBytes => Metainfo?.InfoBytes ?? default;

    public bool IsComplete => _have is { All: true };

    public CancellationToken Stopping => _stop.Token;

    public static async Task<TorrentSession> CreateSeedAsync(TorrentEngine engine, TorrentMetainfo metainfo, string path,
        CancellationToken cancellationToken)
    {
        var session = new TorrentSession(engine, metainfo.InfoHash, metainfo, path, seeding: true);
        session._store = PieceStore.OpenForSeeding(metainfo, path);
        var have = new Bitfield(metainfo.PieceCount);
        have.SetAll();
        session._have = have;
        session._complete.TrySetResult(metainfo);
        session._metadata.TrySetResult(metainfo);
        if (engine.Options.SuperSeeding || engine.Options.AdaptiveSeeding)
        {
            session.EnableSuperSeeding(metainfo, adaptive: !engine.Options.SuperSeeding);
        }
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return session;
    }

    public static TorrentSession CreateDownload(TorrentEngine engine, Hash20 infoHash, TorrentMetainfo? metainfo, string path,
        IPeerDiscovery? discovery, IProgress<DownloadProgress>? progress, VerifiedPrefixStream? stream = null)
    {
        var session = new TorrentSession(engine, infoHash, metainfo, path, seeding: false)
        {
            Discovery = discovery,
            Progress = progress,
            _stream = stream,
        };
        return session;
    }

    /// <summary>Opens storage (re-checking what is on disk) when the metainfo is known, and starts the timers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsSeeding && Metainfo is not null)
        {
            await InitializeStorageAsync(Metainfo, cancellationToken).ConfigureAwait(false);
        }
        lock (_gate)
        {
            _background.Add(Task.Run(() => TimerLoopAsync(_stop.Token)));
            if (Discovery is not null)
            {
                _background.Add(Task.Run(() => DiscoveryLoopAsync(Discovery, _stop.Token)));
            }
        }
    }

    private async Task InitializeStorageAsync(TorrentMetainfo metainfo, CancellationToken cancellationToken)
    {
        var store = PieceStore.OpenForDownload(metainfo, Path);
        _ = store.WriterCompletion.ContinueWith(t => _complete.TrySetException(t.Exception!.InnerExceptions),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var have = await store.CheckExistingAsync(cancellationToken).ConfigureAwait(false);
        if (have.Count > 0)
        {
            ClientLog.Resumed(_logger, InfoHash, have.Count);
        }
        var maxPartial = (int)Math.Clamp(_engine.Options.MaxPartialPieceBytes / metainfo.PieceLength, 2, 4096);
        var picking = new PickingMachine<PeerState>(new PiecePicker(metainfo, have, maxPartial), PickingOptions.From(_engine.Options));
        var complete = false;
        lock (_gate)
        {
            _store = store;
            _have = have;
            Metainfo = metainfo;
            foreach (var peer in _peers.Values)
            {
                ApplyPendingAvailability(peer);
            }
            complete = have.All;
            foreach (var peer in _peers.Values)
            {
                SendOurPieces(peer);
            }
            if (_holdRequestsFor > 1)
            {
                picking.HoldRequests(_holdRequestsFor);
            }
            StartStream(picking, metainfo, have);
            _picking = picking;
            foreach (var peer in _peers.Values)
            {
                AddToPicking(peer);
            }
            ApplyPickingCommands();
        }
        _metadata.TrySetResult(metainfo);
        // The size is known: a caller that admits a streamed reader by it (a pack's size limit) hears it now, not at the
        // next tick up to a second later, so git index-pack starts reading with the first verified piece.
        ReportProgress();
        DialPeersHeardBeforeMetadata();
        if (!complete)
        {
            StartWebSeeds();
        }
        if (complete)
        {
            _ = Task.Run(FinishAsync);
        }
    }

    /// <summary>Admits a connection whose handshake named this torrent; false if refused (limits, ban, duplicate).</summary>
    public bool TryAdmit(PeerConnection connection, out string reason)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                reason = "torrent stopped";
                return false;
            }
            if (_peers.Count >= _engine.Options.MaxConnectionsPerTorrent)
            {
                reason = "too many peers";
                return false;
            }
            if (_bans.IsBanned(BanKey(connection)))
            {
                reason = "banned";
                return false;
            }
            if (connection.RemotePeerId == _engine.PeerId)
            {
                reason = "connected to ourselves";
                return false;
            }
            foreach (var existing in _peers.Keys)
            {
                if (existing.RemotePeerId == connection.RemotePeerId)
                {
                    // Both sides dialled at once: keep the connection the lower peer id initiated, on both ends.
                    if (IsPreferred(existing) || !IsPreferred(connection))
                    {
                        reason = "already connected to this peer";
                        return false;
                    }
                    existing.Close();
                }
            }
            var state = new PeerState(connection);
            if (Metainfo is not null)
            {
                state.Has = new Bitfield(Metainfo.PieceCount);
            }
            _peers.Add(connection, state);
            _choking.PeerConnected(state);
            _pex.PeerConnected(state, connection.RemoteEndPoint, connection.IsOutbound);
            _pex.PeerBitfield(state, state.Has);
            if (state.Has is not null)
            {
                _superSeeding?.PeerConnected(state, state.Has);
            }
            AddToPicking(state);
            ApplyPickingCommands();
            connection.MetadataHost = this;
            connection.PexHost = this;
            if (connection.IsOutbound)
            {
                connection.RemoteListenEndPoint = connection.RemoteEndPoint;
            }
            reason = "";
            return true;
        }
    }

    private bool IsPreferred(PeerConnection connection)
    {
        var initiator = connection.IsOutbound ? _engine.PeerId : connection.RemotePeerId;
        var acceptor = connection.IsOutbound ? connection.RemotePeerId : _engine.PeerId;
        return initiator < acceptor;
    }

    public bool IsConnectedTo(IPEndPoint endPoint)
    {
        lock (_gate)
        {
            foreach (var c in _peers.Keys)
            {
                if (c.IsOutbound && c.RemoteEndPoint.Equals(endPoint))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Runs an admitted connection until it ends: handshakes, receive loop, then cleanup.</summary>
    public async Task RunPeerAsync(PeerConnection connection)
    {
        PeerState state;
        lock (_gate)
        {
            state = _peers[connection];
        }
        ClientLog.PeerConnected(_logger, connection.RemoteEndPoint, InfoHash, connection.IsOutbound);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Closed);
        var sendLoop = connection.RunSendLoopAsync(this, _engine.UploadLimit, OnUploaded, linked.Token);
        var reason = "closed";
        try
        {
            // BEP 3: the bitfield must be the first message; the BEP 10 handshake follows it.
            lock (_gate)
            {
                SendOurPieces(state);
            }
            if (connection.RemoteSupportsExtensions)
            {
                connection.SendExtended(0, _engine.Extensions.BuildHandshake(connection, _engine.Options.ClientName, _engine.Port));
            }
            await connection.RunReceiveLoopAsync((c, f) => HandleFrame(state, f), linked.Token).ConfigureAwait(false);
        }
        catch (ProtocolViolationException e)
        {
            reason = e.Message;
        }
        catch (OperationCanceledException)
        {
            reason = "stopped";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            reason = e.Message;
        }
        catch (Exception e)
        {
            // Last line of defence: whatever one peer triggers ends that peer, never the engine.
            reason = $"unexpected {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            connection.Close();
            Detach(state);
            try
            {
                await sendLoop.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException
                or InvalidOperationException or ObjectDisposedException)
            {
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            _engine.ReleaseConnection(connection);
            ClientLog.PeerDropped(_logger, connection.RemoteEndPoint, InfoHash, reason);
        }
    }

    private void Detach(PeerState state)
    {
        lock (_gate)
        {
            if (!_peers.Remove(state.Connection))
            {
                return;
            }
            _choking.PeerDisconnected(state);
            _pex.PeerDisconnected(state);
            _metadataExchange?.PeerDisconnected(state, Now);
            ApplyMetadataCommands();
            _superSeeding?.PeerDisconnected(state, Now);
            ApplySuperSeedingCommands();
            var endPoint = state.Connection.RemoteEndPoint;
            _downloadedByPeer[endPoint] = _downloadedByPeer.GetValueOrDefault(endPoint) + state.Connection.Downloaded;
            if (_picking is not null)
            {
                _picking.PeerDisconnected(state);
                ApplyPickingCommands();
            }
        }
    }

    /// <summary>Tells the picking machine, when there is one, of a peer whose pieces are known (caller holds the lock).</summary>
    private void AddToPicking(PeerState peer)
    {
        if (_picking is not null && peer.Has is not null)
        {
            _picking.PeerMaxRequests(peer, peer.MaxRequests);
            _picking.PeerConnected(peer, peer.Has, Now);
        }
    }

    /// <summary>The session's clock for its machines: time since it was created.</summary>
    private TimeSpan Now => _engine.TimeProvider.GetElapsedTime(_clockStart);

    private void OnUploaded(int bytes) => Interlocked.Add(ref _uploaded, bytes);

    bool IBlockReader.TryReadBlock(int piece, int begin, Span<byte> destination) =>
        _store is { } store && store.Read(piece, begin, destination) == destination.Length;

    public TorrentStatistics GetStatistics()
    {
        lock (_gate)
        {
            var peers = _peers.Values.Select(p => new PeerStatistics(p.Connection.RemoteEndPoint, p.Connection.RemotePeerId,
                p.Connection.RemoteClient, p.Connection.IsOutbound, p.Connection.Uploaded, p.Connection.Downloaded,
                p.Connection.AmChoking, p.PeerChoking, _picking?.IsInterestedIn(p) ?? false, p.PeerInterested, p.IsSeed)).ToList();
            return new TorrentStatistics(InfoHash, Metainfo?.Name, Metainfo?.Length ?? 0, IsComplete,
                Interlocked.Read(ref _uploaded), Interlocked.Read(ref _downloaded), peers);
        }
    }

    /// <summary>Payload bytes downloaded from each peer since the torrent was added, disconnected peers included.</summary>
    public IReadOnlyDictionary<System.Net.IPEndPoint, long> GetDownloadedByPeer()
    {
        lock (_gate)
        {
            var result = new Dictionary<System.Net.IPEndPoint, long>(_downloadedByPeer);
            foreach (var connection in _peers.Keys)
            {
                result[connection.RemoteEndPoint] = result.GetValueOrDefault(connection.RemoteEndPoint) + connection.Downloaded;
            }
            return result;
        }
    }

    public DownloadProgress GetProgress()
    {
        lock (_gate)
        {
            var metainfo = Metainfo;
            var have = _have?.Count ?? 0;
            long verified = 0;
            if (metainfo is not null && _have is not null)
            {
                verified = (long)have * metainfo.PieceLength;
                if (_have[metainfo.PieceCount - 1])
                {
                    verified -= metainfo.PieceLength - metainfo.GetPieceSize(metainfo.PieceCount - 1);
                }
            }
            return new DownloadProgress(InfoHash, metainfo is not null && _have is not null, verified, metainfo?.Length ?? 0,
                have, metainfo?.PieceCount ?? 0, _peers.Count, Interlocked.Read(ref _downloaded), Interlocked.Read(ref _uploaded));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stream?.Fail(new OperationCanceledException("the torrent was removed"));
        _complete.TrySetCanceled();
        _metadata.TrySetCanceled();
        List<PeerConnection> connections;
        Task[] background;
        lock (_gate)
        {
            connections = [.. _peers.Keys];
            background = [.. _background];
        }
        foreach (var c in connections)
        {
            c.Close();
        }
        try
        {
            await Task.WhenAll(background).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        lock (_gate)
        {
            _picking?.Picker.ReleaseAll();
        }
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
