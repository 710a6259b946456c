using System.Buffers.Binary;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>
/// Payload of request (6) and cancel (8): <c>index begin length</c>, three big-endian uint32 (BEP 3).
/// </summary>
public readonly record struct BlockRequest(int Piece, int Begin, int Length)
{
    public const int PayloadLength = 12;

    public static bool TryDecode(ReadOnlySpan<byte> payload, out BlockRequest request)
    {
        request = default;
        if (payload.Length != PayloadLength)
        {
            return false;
        }
        var piece = BinaryPrimitives.ReadUInt32BigEndian(payload);
        var begin = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(payload[8..]);
        if (piece > int.MaxValue || begin > int.MaxValue || length > int.MaxValue)
        {
            return false;
        }
        request = new BlockRequest((int)piece, (int)begin, (int)length);
        return true;
    }

    /// <summary>Writes the whole frame (length prefix, id, payload) and returns its size.</summary>
    public int EncodeFrame(Span<byte> destination, MessageId id)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1 + PayloadLength);
        destination[4] = (byte)id;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)Piece);
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], (uint)Begin);
        BinaryPrimitives.WriteUInt32BigEndian(destination[13..], (uint)Length);
        return 4 + 1 + PayloadLength;
    }
}
