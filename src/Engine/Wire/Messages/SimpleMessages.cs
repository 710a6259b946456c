using System.Buffers.Binary;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>
/// Codecs for the messages with no or tiny payloads: keep-alive, choke, unchoke, interested,
/// not interested (no payload), have (uint32 index), port (uint16, BEP 5) and the extended header (BEP 10).
/// </summary>
public static class SimpleMessages
{
    public const int KeepAliveLength = 4;
    public const int NoPayloadFrameLength = 5;
    public const int HaveFrameLength = 9;
    public const int PortFrameLength = 7;

    public static int EncodeKeepAlive(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        return KeepAliveLength;
    }

    /// <summary>choke, unchoke, interested, not interested.</summary>
    public static int EncodeNoPayload(Span<byte> destination, MessageId id)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        destination[4] = (byte)id;
        return NoPayloadFrameLength;
    }

    public static int EncodeHave(Span<byte> destination, int piece)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 5);
        destination[4] = (byte)MessageId.Have;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)piece);
        return HaveFrameLength;
    }

    public static bool TryDecodeHave(ReadOnlySpan<byte> payload, out int piece)
    {
        piece = -1;
        if (payload.Length != 4)
        {
            return false;
        }
        var value = BinaryPrimitives.ReadUInt32BigEndian(payload);
        if (value > int.MaxValue)
        {
            return false;
        }
        piece = (int)value;
        return true;
    }

    public static int EncodePort(Span<byte> destination, ushort port)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 3);
        destination[4] = (byte)MessageId.Port;
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], port);
        return PortFrameLength;
    }

    public static bool TryDecodePort(ReadOnlySpan<byte> payload, out ushort port)
    {
        port = 0;
        if (payload.Length != 2)
        {
            return false;
        }
        port = BinaryPrimitives.ReadUInt16BigEndian(payload);
        return true;
    }

    /// <summary>Writes the frame header of a bitfield (5) with <paramref name="bitfieldLength"/> bytes after it.</summary>
    public static int EncodeBitfieldHeader(Span<byte> destination, int bitfieldLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(1 + bitfieldLength));
        destination[4] = (byte)MessageId.Bitfield;
        return 5;
    }

    /// <summary>Writes the frame header of an extended message (20): length, id 20, extended id (BEP 10).</summary>
    public static int EncodeExtendedHeader(Span<byte> destination, byte extendedId, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(2 + payloadLength));
        destination[4] = (byte)MessageId.Extended;
        destination[5] = extendedId;
        return 6;
    }
}
