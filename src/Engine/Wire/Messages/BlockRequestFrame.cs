using System.Buffers.Binary;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Messages;

/// <summary>The request (6) and cancel (8) frames around a <see cref="BlockRequest"/> (BEP 3).</summary>
public static class BlockRequestFrame
{
    /// <summary>Writes the whole frame (length prefix, id, payload) and returns its size.</summary>
    public static int EncodeFrame(this BlockRequest block, Span<byte> destination, MessageId id)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1 + BlockRequest.PayloadLength);
        destination[4] = (byte)id;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)block.Piece);
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], (uint)block.Begin);
        BinaryPrimitives.WriteUInt32BigEndian(destination[13..], (uint)block.Length);
        return 4 + 1 + BlockRequest.PayloadLength;
    }
}
