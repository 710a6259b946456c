using System.Buffers;
using System.Buffers.Binary;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>
/// Splits the peer wire byte stream into frames (BEP 3: uint32 big-endian length, then id and payload).
/// The length prefix is checked against <see cref="WireLimits"/> as soon as the id byte is visible, before any
/// payload is waited for, so a peer cannot make us buffer more than one legal message.
/// </summary>
public static class FrameDecoder
{
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out Frame frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return FrameStatus.Incomplete;
        }
        Span<byte> head = stackalloc byte[5];
        var available = (int)Math.Min(buffer.Length, 5);
        buffer.Slice(0, available).CopyTo(head);
        var length = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (length == 0)
        {
            frame = new Frame(true, default, ReadOnlySequence<byte>.Empty);
            buffer = buffer.Slice(4);
            return FrameStatus.Frame;
        }
        if (length > WireLimits.MaxOtherMessageLength)
        {
            return FrameStatus.TooLong;
        }
        if (available < 5)
        {
            return FrameStatus.Incomplete;
        }
        var id = (MessageId)head[4];
        if (id == MessageId.Piece && length > WireLimits.MaxPieceMessageLength)
        {
            return FrameStatus.TooLong;
        }
        if (buffer.Length < 4 + length)
        {
            return FrameStatus.Incomplete;
        }
        frame = new Frame(false, id, buffer.Slice(5, length - 1));
        buffer = buffer.Slice(4 + length);
        return FrameStatus.Frame;
    }
}
