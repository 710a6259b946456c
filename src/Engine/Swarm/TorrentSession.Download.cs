using System.Buffers;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Engine.Swarm;

internal sealed partial class TorrentSession
{
    /// <summary>Smallest top-up of a deep pipeline, so requests go out in batches rather than one per block.</summary>
    private const int RequestBatch = 8;

    /// <summary>Keeps the peer's pipeline full (caller holds the lock).</summary>
    private void FillRequests(PeerState peer)
    {
        if (_picker is null || peer.PeerChoking || !peer.AmInterested || peer.Has is null || peer.Connection.IsClosed)
        {
            return;
        }
        if (!_requestGateOpen)
        {
            if (_peers.Values.Count(p => !p.PeerChoking && p.AmInterested && p.Has is not null && !p.Connection.IsClosed) < _waitForPeers)
            {
                return;
            }
            OpenRequestGate();
            return;
        }
        var depth = peer.Snubbed ? 1 : Math.Min(PipelineDepthFor(peer), peer.MaxRequests);
        var want = depth - peer.Outstanding.Count;
        if (want <= 0 || (depth >= 4 * RequestBatch && want < RequestBatch && peer.Outstanding.Count > 0))
        {
            return;
        }
        _scratch.Clear();
        _picker.Pick(peer, peer.Has, peer.Outstanding, want, _scratch);
        foreach (var request in _scratch)
        {
            peer.Connection.SendRequest(request);
        }
        if (_scratch.Count > 0 && peer.Outstanding.Count == _scratch.Count)
        {
            peer.LastBlockAt = _engine.TimeProvider.GetTimestamp();
        }
    }

    /// <summary>The configured depth, or more for a fast peer: its rate times the request queue time.</summary>
    private int PipelineDepthFor(PeerState peer)
    {
        var options = _engine.Options;
        var byRate = (long)(peer.DownloadRate * options.RequestQueueTime.TotalSeconds / WireLimits.BlockSize);
        return (int)Math.Clamp(byRate, options.PipelineDepth, Math.Max(options.PipelineDepth, options.MaxPipelineDepth));
    }

    /// <summary>
    /// Holds back block requests until <paramref name="peers"/> peers have unchoked us (or <paramref name="atMost"/> has
    /// passed), so that on a fast link the first peer to answer does not take every block before the others connect.
    /// </summary>
    public void HoldRequestsFor(int peers, TimeSpan atMost)
    {
        if (peers <= 1)
        {
            return;
        }
        lock (_gate)
        {
            _waitForPeers = peers;
            _requestGateOpen = false;
            _background.Add(Task.Run(OpenAfterAsync));
        }

        async Task OpenAfterAsync()
        {
            try
            {
                await Task.Delay(atMost, _engine.TimeProvider, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_gate)
            {
                OpenRequestGate();
            }
        }
    }

    /// <summary>Hash failures and banned peers so far.</summary>
    public DownloadTrouble GetTrouble()
    {
        lock (_gate)
        {
            return new DownloadTrouble(_hashFailures, [.. _bannedEndPoints]);
        }
    }

    /// <summary>Lets every ready peer request blocks (caller holds the lock).</summary>
    private void OpenRequestGate()
    {
        if (_requestGateOpen)
        {
            return;
        }
        _requestGateOpen = true;
        foreach (var other in _peers.Values)
        {
            FillRequests(other);
        }
    }

    /// <summary>Returns the peer's requests to the picker (choke, snub, disconnect).</summary>
    private void DropOutstanding(PeerState peer, bool sendCancel)
    {
        if (_picker is null)
        {
            peer.Outstanding.Clear();
            return;
        }
        foreach (var request in peer.Outstanding)
        {
            _picker.OnRequestDropped(request);
            peer.UnsolicitedBudget++;
            if (sendCancel)
            {
                peer.Connection.SendCancel(request);
            }
        }
        peer.Outstanding.Clear();
        foreach (var other in _peers.Values)
        {
            if (other != peer)
            {
                FillRequests(other);
            }
        }
    }

    /// <summary>Complete pieces being hashed off the receive loops at once; a receive loop waits for a slot.</summary>
    private const int ConcurrentVerifications = 4;

    private readonly SemaphoreSlim _verifySlots = new(ConcurrentVerifications);

    /// <summary>
    /// Hands a complete piece to a hashing task so the receive loop goes on reading (SHA-1 of a 1 MiB piece costs
    /// milliseconds); waits only when <see cref="ConcurrentVerifications"/> pieces are already being hashed.
    /// </summary>
    private async ValueTask VerifyInBackgroundAsync(PartialPiece piece)
    {
        await _verifySlots.WaitAsync(_stop.Token).ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            try
            {
                await VerifyAndStoreAsync(piece).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException
                or ObjectDisposedException)
            {
                // The torrent is stopping: the piece never reached the writer.
                ArrayPool<byte>.Shared.Return(piece.Buffer);
            }
            finally
            {
                _verifySlots.Release();
            }
        });
    }

    /// <summary>SHA-1 check of a complete piece, then the single writer; a bad piece strikes its contributors.</summary>
    private async ValueTask VerifyAndStoreAsync(PartialPiece piece)
    {
        var store = _store!;
        if (store.Verify(piece.Piece, piece.Buffer.AsSpan(0, piece.Size)))
        {
            await store.EnqueueWriteAsync(piece.Piece, piece.Buffer, OnPieceWritten, _stop.Token).ConfigureAwait(false);
            return;
        }
        ArrayPool<byte>.Shared.Return(piece.Buffer);
        SwarmLog.PieceFailed(_logger, piece.Piece, InfoHash);
        lock (_gate)
        {
            _hashFailures++;
            _picker!.OnPieceFailed(piece.Piece);
            foreach (var webSeed in piece.Contributors.OfType<WebSeed>().Distinct())
            {
                webSeed.BadPieces++;
            }
            var contributors = piece.Contributors.OfType<PeerState>().Distinct().ToList();
            // With several contributors the culprit is unknown: the picker gives the piece to one peer next time.
            foreach (var contributor in contributors.Count == 1 ? contributors : [])
            {
                var key = BanKey(contributor.Connection);
                var strikes = _strikes[key] = _strikes.GetValueOrDefault(key) + 1;
                if (strikes >= _engine.Options.StrikesBeforeBan)
                {
                    _banned.Add(key);
                    Interlocked.Increment(ref s_peersBanned);
                    _bannedEndPoints.Add(contributor.Connection.RemoteEndPoint);
                    SwarmLog.PeerBanned(_logger, contributor.Connection.RemoteEndPoint, InfoHash, strikes);
                    contributor.Connection.Close();
                }
            }
            foreach (var peer in _peers.Values)
            {
                FillRequests(peer);
            }
        }
    }

    /// <summary>Writer task callback: the piece is in the file.</summary>
    private void OnPieceWritten(int piece)
    {
        bool complete;
        lock (_gate)
        {
            _picker!.OnPieceWritten(piece);
            complete = _picker.Have.All;
            foreach (var peer in _peers.Values)
            {
                // Sent to peers that have the piece too: a super-seeder (BEP 16) learns from it that its piece spread.
                if (peer.Has is not null)
                {
                    if (!peer.SentBitfieldOrHave)
                    {
                        SendOurPieces(peer);
                    }
                    else
                    {
                        peer.Connection.SendHave(piece);
                    }
                }
                if (complete)
                {
                    // Connections to seeds stay for a while (see SeedLinger): a super-seeding seed counts on the
                    // pieces we now hold being available to the peers it tells about us.
                    SetInterested(peer, false);
                }
            }
        }
        if (complete)
        {
            _ = Task.Run(FinishAsync);
        }
    }

    private async Task FinishAsync()
    {
        if (_store is not null && !IsSeeding)
        {
            try
            {
                await _store.CompleteWritesAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                _complete.TrySetException(e);
                return;
            }
        }
        SwarmLog.DownloadComplete(_logger, InfoHash);
        Progress?.Report(GetProgress());
        _complete.TrySetResult(Metainfo!);
    }
}
