using System.Buffers;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client.Machines;

namespace GitTorrent.Engine.Client;

internal sealed partial class TorrentSession
{
    private ValueTask HandleFrame(PeerState peer, in Frame frame)
    {
        if (frame.IsKeepAlive)
        {
            return default;
        }
        var payload = frame.Payload;
        switch (frame.Id)
        {
            case MessageId.Choke:
                lock (_gate)
                {
                    peer.PeerChoking = true;
                    // The dropped requests' data may still come: allow for it.
                    peer.UnsolicitedBudget += _picking?.OutstandingCount(peer) ?? 0;
                    _picking?.PeerChoked(peer);
                    ApplyPickingCommands();
                }
                break;
            case MessageId.Unchoke:
                lock (_gate)
                {
                    peer.PeerChoking = false;
                    _picking?.PeerUnchoked(peer);
                    ApplyPickingCommands();
                }
                break;
            case MessageId.Interested:
                lock (_gate)
                {
                    peer.PeerInterested = true;
                    _choking.PeerInterested(peer, true);
                    ApplyChokingCommands();
                }
                break;
            case MessageId.NotInterested:
                lock (_gate)
                {
                    peer.PeerInterested = false;
                    _choking.PeerInterested(peer, false);
                }
                break;
            case MessageId.Have:
                if (!SimpleMessages.TryDecodeHave(ToSpan(payload, stackalloc byte[8]), out var have))
                {
                    throw new ProtocolViolationException("Bad have message.");
                }
                OnHave(peer, have);
                break;
            case MessageId.Bitfield:
                OnBitfield(peer, payload);
                break;
            case MessageId.Request:
                if (!BlockRequest.TryDecode(ToSpan(payload, stackalloc byte[16]), out var request))
                {
                    throw new ProtocolViolationException("Bad request message.");
                }
                OnRequest(peer, request);
                break;
            case MessageId.Cancel:
                if (!BlockRequest.TryDecode(ToSpan(payload, stackalloc byte[16]), out var cancel))
                {
                    throw new ProtocolViolationException("Bad cancel message.");
                }
                peer.Connection.CancelUpload(cancel);
                break;
            case MessageId.Piece:
                return OnPiece(peer, payload);
            case MessageId.Extended:
                OnExtended(peer, payload);
                break;
            default:
                break; // port (BEP 5) and unknown ids are ignored (BEP 3)
        }
        return default;
    }

    private static ReadOnlySpan<byte> ToSpan(in ReadOnlySequence<byte> payload, Span<byte> scratch)
    {
        if (payload.Length > scratch.Length)
        {
            return payload.IsSingleSegment ? payload.FirstSpan : payload.Slice(0, scratch.Length + 1).ToArray();
        }
        if (payload.IsSingleSegment)
        {
            return payload.FirstSpan;
        }
        payload.CopyTo(scratch);
        return scratch[..(int)payload.Length];
    }

    private void OnHave(PeerState peer, int piece)
    {
        lock (_gate)
        {
            if (peer.Has is null)
            {
                if (peer.PendingHaves.Count < 100_000)
                {
                    peer.PendingHaves.Add(piece);
                }
                return;
            }
            if (piece >= peer.Has.Length)
            {
                throw new ProtocolViolationException("Have for a piece that does not exist.");
            }
            if (peer.Has[piece])
            {
                return;
            }
            peer.Has[piece] = true;
            _superSeeding?.PeerHas(peer, piece, Now);
            ApplySuperSeedingCommands();
            _picking?.PeerHas(peer, piece);
            ApplyPickingCommands();
        }
    }

    private void OnBitfield(PeerState peer, in ReadOnlySequence<byte> payload)
    {
        lock (_gate)
        {
            if (Metainfo is null || peer.Has is null)
            {
                peer.PendingBitfield = payload.ToArray();
                return;
            }
            if (!Bitfield.TryDecode(payload.ToArray(), Metainfo.PieceCount, out var bitfield))
            {
                throw new ProtocolViolationException("Bitfield of the wrong size or with spare bits set.");
            }
            peer.Has = bitfield;
            _pex.PeerBitfield(peer, bitfield);
            _superSeeding?.PeerBitfield(peer, bitfield, Now);
            ApplySuperSeedingCommands();
            _picking?.PeerBitfield(peer, bitfield);
            ApplyPickingCommands();
            DisconnectIfBothSeeds(peer);
        }
    }

    private void OnRequest(PeerState peer, BlockRequest request)
    {
        lock (_gate)
        {
            var metainfo = Metainfo;
            if (metainfo is null || _have is null)
            {
                return;
            }
            if (request.Piece >= metainfo.PieceCount || request.Length <= 0 || request.Length > WireLimits.BlockSize
                || (long)request.Begin + request.Length > metainfo.GetPieceSize(request.Piece))
            {
                throw new ProtocolViolationException("Request outside the torrent or longer than 16 KiB.");
            }
            if (!_have[request.Piece] || peer.Connection.AmChoking)
            {
                return;
            }
        }
        peer.Connection.EnqueueUpload(request);
    }

    private ValueTask OnPiece(PeerState peer, in ReadOnlySequence<byte> payload)
    {
        if (!PieceMessageHeader.TryDecode(ToSpan(payload.Slice(0, Math.Min(payload.Length, 8)), stackalloc byte[8]), out var header)
            || payload.Length <= PieceMessageHeader.PayloadHeaderLength)
        {
            throw new ProtocolViolationException("Bad piece message.");
        }
        var data = payload.Slice(PieceMessageHeader.PayloadHeaderLength);
        PartialPiece? completed;
        lock (_gate)
        {
            peer.Connection.AddDownloaded((int)data.Length);
            Interlocked.Add(ref _downloaded, data.Length);
            completed = null;
            var result = _picking?.BlockReceived(peer, header.Piece, header.Begin, data, Now, out completed)
                ?? BlockResult.Unsolicited;
            ApplyPickingCommands();
            if (result == BlockResult.Unsolicited)
            {
                ChargeUnsolicited(peer);
            }
        }
        return completed is null ? default : VerifyInBackgroundAsync(completed);
    }

    private void ChargeUnsolicited(PeerState peer)
    {
        peer.UnsolicitedBudget--;
        if (peer.UnsolicitedBudget < 0)
        {
            throw new ProtocolViolationException("Unsolicited piece data.");
        }
    }

    private void OnExtended(PeerState peer, in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 1)
        {
            throw new ProtocolViolationException("Empty extended message.");
        }
        var id = payload.FirstSpan[0];
        var body = payload.Slice(1).ToArray();
        var connection = peer.Connection;
        if (id == 0)
        {
            var handshake = _engine.Extensions.ApplyRemoteHandshake(connection, body);
            if (handshake.GetInteger("reqq") is { } reqq and > 0)
            {
                lock (_gate)
                {
                    peer.MaxRequests = (int)Math.Min(reqq, int.MaxValue);
                    _picking?.PeerMaxRequests(peer, peer.MaxRequests);
                }
            }
            OnRemoteExtensionHandshake(peer, handshake);
            return;
        }
        if (_engine.Extensions.TryGet(id, out var extension))
        {
            extension.OnMessage(connection, body);
        }
    }

    private void ApplyPendingAvailability(PeerState peer)
    {
        var metainfo = Metainfo!;
        // Peers admitted while the resume check ran already have a bitfield of the right size: keep it.
        var has = peer.Has is { } known && known.Length == metainfo.PieceCount ? known : new Bitfield(metainfo.PieceCount);
        if (peer.PendingBitfield is { } bytes)
        {
            if (!Bitfield.TryDecode(bytes, metainfo.PieceCount, out has))
            {
                peer.Connection.Close();
                has = new Bitfield(metainfo.PieceCount);
            }
            peer.PendingBitfield = null;
        }
        foreach (var piece in peer.PendingHaves)
        {
            if (piece < has.Length)
            {
                has[piece] = true;
            }
        }
        peer.PendingHaves.Clear();
        peer.Has = has;
        _pex.PeerBitfield(peer, has);
    }

    /// <summary>Sends our bitfield once we know what we have (skipped when we have nothing).</summary>
    private void SendOurPieces(PeerState peer)
    {
        if (peer.SentBitfieldOrHave || _have is null || Metainfo is null)
        {
            return;
        }
        peer.SentBitfieldOrHave = true;
        if (_superSeeding is not null)
        {
            _superSeeding.PeerReady(peer, Now);
            ApplySuperSeedingCommands();
        }
        else if (_have.Count > 0)
        {
            peer.Connection.SendBitfield(_have.Bytes);
        }
    }

    /// <summary>Carries out what the choking machine decided (caller holds the lock).</summary>
    private void ApplyChokingCommands()
    {
        while (_choking.TryTake(out var command))
        {
            var choke = command.Kind == SwarmCommandKind.Choke;
            command.Peer.Connection.AmChoking = choke;
            command.Peer.Connection.SendSimple(choke ? MessageId.Choke : MessageId.Unchoke);
        }
    }

    private void DisconnectIfBothSeeds(PeerState peer)
    {
        if (peer.IsSeed && _have is { All: true } && !IsSuperSeeding)
        {
            peer.Connection.Close();
        }
    }
}
