using System.Buffers.Binary;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>The fixed part of a piece message (7): <c>index begin</c>, followed by the block (BEP 3).</summary>
public readonly record struct PieceMessageHeader(int Piece, int Begin)
{
    public const int PayloadHeaderLength = 8;

    /// <summary>Frame bytes in front of the block: length prefix, id, index, begin.</summary>
    public const int FrameHeaderLength = 4 + 1 + PayloadHeaderLength;

    public static bool TryDecode(ReadOnlySpan<byte> payload, out PieceMessageHeader header)
    {
        header = default;
        if (payload.Length < PayloadHeaderLength)
        {
            return false;
        }
        var piece = BinaryPrimitives.ReadUInt32BigEndian(payload);
        var begin = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        if (piece > int.MaxValue || begin > int.MaxValue)
        {
            return false;
        }
        header = new PieceMessageHeader((int)piece, (int)begin);
        return true;
    }

    /// <summary>Writes the frame header for a block of <paramref name="blockLength"/> bytes.</summary>
    public int EncodeFrameHeader(Span<byte> destination, int blockLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(1 + PayloadHeaderLength + blockLength));
        destination[4] = (byte)MessageId.Piece;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)Piece);
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], (uint)Begin);
        return FrameHeaderLength;
    }
}
