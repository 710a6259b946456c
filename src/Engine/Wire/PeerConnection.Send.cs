using System.Buffers;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire;

public sealed partial class PeerConnection
{
    /// <summary>Queues choke, unchoke, interested or not interested.</summary>
    public void SendSimple(MessageId id) =>
        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Simple, id, default, default, 0));

    public void SendKeepAlive() => _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.KeepAlive, default, default, default, 0));

    public void SendHave(int piece) =>
        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Have, MessageId.Have, new BlockRequest(piece, 0, 0), default, 0));

    /// <summary>Queues a bitfield; <paramref name="bitfield"/> is copied.</summary>
    public void SendBitfield(ReadOnlySpan<byte> bitfield)
    {
        if (ChargeControlBytes(bitfield.Length))
        {
            _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Bitfield, MessageId.Bitfield, default, bitfield.ToArray(), 0));
        }
    }

    /// <summary>Counts queued payload bytes; closes the connection and returns false past <see cref="MaxQueuedControlBytes"/>.</summary>
    private bool ChargeControlBytes(int bytes)
    {
        if (Interlocked.Add(ref _queuedControlBytes, bytes) > MaxQueuedControlBytes)
        {
            Close();
            return false;
        }
        return true;
    }

    public void SendRequest(BlockRequest request) =>
        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Request, MessageId.Request, request, default, 0));

    public void SendCancel(BlockRequest request) =>
        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Cancel, MessageId.Cancel, request, default, 0));

    /// <summary>
    /// Queues an extension message (BEP 10) under the id the remote assigned to <paramref name="extensionName"/>.
    /// Returns false if the remote does not support that extension. <paramref name="payload"/> must not change afterwards.
    /// </summary>
    public bool SendExtended(string extensionName, ReadOnlyMemory<byte> payload)
    {
        if (!RemoteExtensions.TryGetValue(extensionName, out var id) || id == 0)
        {
            return false;
        }
        return SendExtended(id, payload);
    }

    /// <summary>Queues an extension message with an explicit extended id (0 = the BEP 10 handshake).</summary>
    public bool SendExtended(byte extendedId, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length + 2 > WireLimits.MaxOtherMessageLength)
        {
            throw new ArgumentException("Extension message too long.", nameof(payload));
        }
        return ChargeControlBytes(payload.Length)
            && _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Extended, MessageId.Extended, default, payload, extendedId));
    }

    /// <summary>Queues a block upload; false when the peer already has too many queued or asked for it twice.</summary>
    internal bool EnqueueUpload(BlockRequest request)
    {
        if (Interlocked.Increment(ref _queuedUploads) > MaxQueuedUploads || !_queuedUploadSet.TryAdd(request, 0))
        {
            Interlocked.Decrement(ref _queuedUploads);
            return false;
        }
        return _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Upload, MessageId.Piece, request, default, 0));
    }

    /// <summary>Cancel (BEP 3): forget a queued upload. Cancels for anything not queued cost nothing.</summary>
    internal void CancelUpload(BlockRequest request) => _queuedUploadSet.TryRemove(request, out _);

    /// <summary>
    /// The only writer of <see cref="Writer"/>: drains the queue, reads uploaded blocks straight into the pipe's
    /// memory and flushes when the queue is empty. <paramref name="uploaded"/> is told the payload bytes of each block sent.
    /// </summary>
    internal async Task RunSendLoopAsync(IBlockReader? blocks, TokenBucket? uploadLimit, Action<int>? uploaded,
        CancellationToken cancellationToken)
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var pending = 0;
                while (reader.TryRead(out var message))
                {
                    if (message.Kind == OutgoingKind.Upload)
                    {
                        Interlocked.Decrement(ref _queuedUploads);
                        var block = message.Block;
                        if (!_queuedUploadSet.TryRemove(block, out _) || AmChoking || blocks is null)
                        {
                            continue;
                        }
                        if (uploadLimit is not null)
                        {
                            if (pending > 0)
                            {
                                await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                                pending = 0;
                            }
                            await uploadLimit.WaitAsync(block.Length, cancellationToken).ConfigureAwait(false);
                        }
                        var span = Writer.GetSpan(PieceMessageHeader.FrameHeaderLength + block.Length);
                        if (!blocks.TryReadBlock(block.Piece, block.Begin,
                                span.Slice(PieceMessageHeader.FrameHeaderLength, block.Length)))
                        {
                            continue;
                        }
                        new PieceMessageHeader(block.Piece, block.Begin).EncodeFrameHeader(span, block.Length);
                        Writer.Advance(PieceMessageHeader.FrameHeaderLength + block.Length);
                        Interlocked.Add(ref _uploaded, block.Length);
                        uploaded?.Invoke(block.Length);
                        pending += block.Length;
                    }
                    else
                    {
                        Interlocked.Add(ref _queuedControlBytes, -message.Payload.Length);
                        pending += WriteControl(message);
                    }
                    if (pending >= 256 * 1024)
                    {
                        await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                        pending = 0;
                    }
                }
                if (pending > 0)
                {
                    await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                LastSent = TimeProvider.GetTimestamp();
            }
        }
        finally
        {
            Close();
        }
    }

    private int WriteControl(in Outgoing message)
    {
        Span<byte> span;
        int written;
        switch (message.Kind)
        {
            case OutgoingKind.KeepAlive:
                written = SimpleMessages.EncodeKeepAlive(Writer.GetSpan(4));
                break;
            case OutgoingKind.Simple:
                written = SimpleMessages.EncodeNoPayload(Writer.GetSpan(5), message.Id);
                break;
            case OutgoingKind.Have:
                written = SimpleMessages.EncodeHave(Writer.GetSpan(SimpleMessages.HaveFrameLength), message.Block.Piece);
                break;
            case OutgoingKind.Request:
            case OutgoingKind.Cancel:
                written = message.Block.EncodeFrame(Writer.GetSpan(17), message.Id);
                break;
            case OutgoingKind.Bitfield:
                span = Writer.GetSpan(5 + message.Payload.Length);
                written = SimpleMessages.EncodeBitfieldHeader(span, message.Payload.Length);
                message.Payload.Span.CopyTo(span[written..]);
                written += message.Payload.Length;
                break;
            case OutgoingKind.Extended:
                span = Writer.GetSpan(6 + message.Payload.Length);
                written = SimpleMessages.EncodeExtendedHeader(span, message.ExtendedId, message.Payload.Length);
                message.Payload.Span.CopyTo(span[written..]);
                written += message.Payload.Length;
                break;
            default:
                return 0;
        }
        Writer.Advance(written);
        return written;
    }
}
