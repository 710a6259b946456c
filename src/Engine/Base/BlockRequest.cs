using System.Buffers.Binary;

namespace GitTorrent.Engine.Base;

/// <summary>
/// The address of one block: <c>index begin length</c>, which is also the payload of request (6) and cancel (8), three
/// big-endian uint32 (BEP 3). Picking and the wire both use it; the frame around it is written by the wire
/// (<c>Wire.Messages.BlockRequestFrame</c>).
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
}
