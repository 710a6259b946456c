using System.Buffers;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Client;

internal sealed partial class TorrentSession
{
    /// <summary>
    /// Carries out what the picking machine decided (caller holds the lock). A cancelled block may still arrive, so
    /// each cancel widens the peer's allowance for unsolicited blocks by one.
    /// </summary>
    private void ApplyPickingCommands()
    {
        if (_picking is null)
        {
            return;
        }
        while (_picking.TryTake(out var command))
        {
            var connection = command.Peer.Connection;
            switch (command.Kind)
            {
                case SwarmCommandKind.Request:
                    connection.SendRequest(command.Block);
                    break;
                case SwarmCommandKind.Cancel:
                    command.Peer.UnsolicitedBudget++;
                    connection.SendCancel(command.Block);
                    break;
                case SwarmCommandKind.Interested:
                    connection.SendSimple(MessageId.Interested);
                    break;
                case SwarmCommandKind.NotInterested:
                    connection.SendSimple(MessageId.NotInterested);
                    break;
                default:
                    connection.Close();
                    break;
            }
        }
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
            _holdRequestsFor = peers;
            _picking?.HoldRequests(peers);
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
                _holdRequestsFor = 0;
                _picking?.OpenGate();
                ApplyPickingCommands();
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

    /// <summary>Complete pieces being hashed off the receive loops at once; a receive loop waits for a slot.</summary>
    private const int ConcurrentVerifications = 4;

    /// <summary>Peers to wait for before requesting (<see cref="HoldRequestsFor"/>), kept for a machine made later.</summary>
    private int _holdRequestsFor;

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
        ClientLog.PieceFailed(_logger, piece.Piece, InfoHash);
        lock (_gate)
        {
            _hashFailures++;
            _picking!.PieceFailed(piece.Piece);
            foreach (var webSeed in piece.Contributors.OfType<WebSeed>().Distinct())
            {
                webSeed.BadPieces++;
            }
            _bans.PieceFailed(piece.Contributors.OfType<PeerState>());
            ApplyBanCommands();
            ApplyPickingCommands();
        }
    }

    /// <summary>The download's reader in file order (a pack streamed into index-pack), if it has one.</summary>
    private VerifiedPrefixStream? _stream;

    /// <summary>
    /// Storage is open (lock held): the stream learns the file and what it holds, and the picker starts pieces in order
    /// at the stream's front.
    /// </summary>
    private void StartStream(PickingMachine<PeerState> picking, TorrentMetainfo metainfo, Bitfield have)
    {
        if (_stream is null)
        {
            return;
        }
        _stream.Attach(metainfo, Path, have);
        picking.StreamFront(0);
    }

    /// <summary>Writer task callback: the piece is in the file.</summary>
    private void OnPieceWritten(int piece)
    {
        _stream?.PieceWritten(piece);
        bool complete;
        lock (_gate)
        {
            _picking!.PieceVerified(piece);
            complete = _picking.IsComplete;
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
            }
            // Complete: not interested in anybody. Connections to seeds stay for a while (see SeedLinger): a
            // super-seeding seed counts on the pieces we now hold being available to the peers it tells about us.
            ApplyPickingCommands();
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
        ClientLog.DownloadComplete(_logger, InfoHash);
        Progress?.Report(GetProgress());
        _complete.TrySetResult(Metainfo!);
    }
}
