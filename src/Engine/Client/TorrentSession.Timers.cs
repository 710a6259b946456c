using System.Net;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>The once-a-second housekeeping (choking, keep-alives, timeouts, snubbing) and the peer sources.</summary>
internal sealed partial class TorrentSession
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>How long a connection between two seeds stays after we completed (peers that connect as seeds are dropped at once).</summary>
    internal static readonly TimeSpan SeedLinger = TimeSpan.FromSeconds(30);

    /// <summary>How often an incomplete download asks its discovery for more peers.</summary>
    private static readonly TimeSpan DownloadRediscoveryInterval = TimeSpan.FromSeconds(3);

    /// <summary>How often a download with no peer at all asks its discovery again.</summary>
    private static readonly TimeSpan LonelyRediscoveryInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When a download with no peer redials a peer whose dial failed (one entry per redial, each after the one before).
    /// Their sum (1.5 s) stays under <see cref="LonelyRediscoveryInterval"/>, so one round costs a peer at most five
    /// dials; a seeder that starts listening or adds the torrent a moment late is reached within 100-800 ms of it.
    /// </summary>
    internal static readonly TimeSpan[] LonelyRedialDelays =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)];
    private DownloadProgress? _lastProgress;

    private async Task TimerLoopAsync(CancellationToken cancellationToken)
    {
        var time = _engine.TimeProvider;
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                OnTick();
                ReportProgress();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reports the download's progress to its caller if it changed since the last report.</summary>
    private void ReportProgress()
    {
        if (Progress is null)
        {
            return;
        }
        var progress = GetProgress();
        if (progress != Interlocked.Exchange(ref _lastProgress, progress))
        {
            Progress.Report(progress);
        }
    }

    /// <summary>One housekeeping round; also called directly by tests that drive a fake clock.</summary>
    internal void OnTick()
    {
        var options = _engine.Options;
        var time = _engine.TimeProvider;
        var now = time.GetTimestamp();
        lock (_gate)
        {
            foreach (var peer in _peers.Values)
            {
                var c = peer.Connection;
                if (time.GetElapsedTime(c.LastReceived, now) > options.PeerIdleTimeout)
                {
                    _engine.CountIdleClosed();
                    c.Close();
                    continue;
                }
                var downloaded = c.Downloaded;
                peer.DownloadRate = downloaded - peer.DownloadedAtLastTick; // the tick is one second
                peer.DownloadedAtLastTick = downloaded;
                if (time.GetElapsedTime(c.LastSent, now) > options.KeepAliveInterval)
                {
                    c.SendKeepAlive();
                    c.LastSent = now;
                }
                _picking?.PeerRate(peer, peer.DownloadRate);
            }
            _picking?.Tick(time.GetElapsedTime(_clockStart, now));
            ApplyPickingCommands();
            _metadataExchange?.Tick(time.GetElapsedTime(_clockStart, now));
            ApplyMetadataCommands();
            _pex.Tick(time.GetElapsedTime(_clockStart, now));
            ApplyPexCommands();
            LingerTick(now);
            _superSeeding?.Tick(time.GetElapsedTime(_clockStart, now));
            ApplySuperSeedingCommands();
            foreach (var peer in _peers.Values)
            {
                _choking.Transferred(peer, peer.Connection.Downloaded, peer.Connection.Uploaded);
                _choking.PeerIsSeed(peer, peer.IsSeed);
            }
            _choking.Tick(time.GetElapsedTime(_clockStart, now), seeding: _have is { All: true });
            ApplyChokingCommands();
        }
    }

    /// <summary>Closes connections whose both ends have been seeds for <see cref="SeedLinger"/> (lock held).</summary>
    private void LingerTick(long now)
    {
        var seeding = _have is { All: true };
        foreach (var peer in _peers.Values)
        {
            if (!seeding || !peer.IsSeed || IsSuperSeeding)
            {
                peer.BothSeedsSince = 0;
            }
            else if (peer.BothSeedsSince == 0)
            {
                peer.BothSeedsSince = now;
            }
            else if (_engine.TimeProvider.GetElapsedTime(peer.BothSeedsSince, now) >= SeedLinger)
            {
                peer.Connection.Close();
            }
        }
    }

    private async Task DiscoveryLoopAsync(IPeerDiscovery discovery, CancellationToken cancellationToken)
    {
        var time = _engine.TimeProvider;
        long lastAnnounce = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Announce alongside the lookup, not before it: a DHT announce waits out unresponsive nodes, and the
                // peers we already know (e.g. the ones that answered ut_gittorrent) should be dialled at once.
                var announcing = Task.CompletedTask;
                if (lastAnnounce == 0 || time.GetElapsedTime(lastAnnounce) > _engine.Options.AnnounceInterval)
                {
                    lastAnnounce = time.GetTimestamp();
                    announcing = discovery.AnnounceAsync(InfoHash, _engine.Port, cancellationToken);
                }
                if (!IsComplete)
                {
                    await foreach (var endPoint in discovery.FindPeersAsync(InfoHash, cancellationToken).ConfigureAwait(false))
                    {
                        _ = DialAsync(endPoint);
                    }
                }
                await announcing.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ClientLog.DiscoveryFailed(_logger, InfoHash, e.Message);
            }
            int peers;
            lock (_gate)
            {
                peers = _peers.Count;
            }
            // While downloading, look again every few seconds: leechers that started at the same time announce after
            // our first lookup, and finding them early is what keeps the seeder's upload near one copy.
            var wait = IsComplete ? _engine.Options.DiscoveryInterval
                : peers == 0 ? LonelyRediscoveryInterval
                : TimeSpan.FromTicks(Math.Min(_engine.Options.DiscoveryInterval.Ticks, DownloadRediscoveryInterval.Ticks));
            try
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Dials a peer a source named. A download with no peer at all redials one that failed after
    /// <see cref="LonelyRedialDelays"/> instead of waiting for the next discovery round
    /// (<see cref="LonelyRediscoveryInterval"/>): the peer that answered a clone's ask may still be adding the pack's
    /// torrent and refuse the first handshake ("unknown info_hash"). A download that has a peer, or a peer that keeps
    /// failing, waits for discovery as before. Never throws.
    /// </summary>
    private async Task DialAsync(IPEndPoint endPoint)
    {
        for (var redial = 0; ; redial++)
        {
            if (_engine.IsOwnEndPoint(endPoint) || IsConnectedTo(endPoint))
            {
                return;
            }
            try
            {
                await _engine.ConnectToPeerAsync(InfoHash, endPoint, _stop.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception)
            {
                // Logged and counted by the engine.
            }
            if (redial == LonelyRedialDelays.Length || !IsLonelyDownload())
            {
                return;
            }
            try
            {
                await Task.Delay(LonelyRedialDelays[redial], _engine.TimeProvider, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!IsLonelyDownload())
            {
                return;
            }
        }
    }

    private bool IsLonelyDownload()
    {
        lock (_gate)
        {
            return !IsComplete && _peers.Count == 0;
        }
    }

    /// <summary>Starts running an admitted connection, tracked so disposal waits for it.</summary>
    public void StartPeer(Wire.PeerConnection connection)
    {
        var task = Task.Run(() => RunPeerAsync(connection));
        lock (_gate)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }
}
