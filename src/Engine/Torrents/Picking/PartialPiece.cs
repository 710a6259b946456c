using System.Buffers;

namespace GitTorrent.Engine.Torrents.Picking;

/// <summary>A piece being downloaded: its pooled buffer and the state of each 16 KiB block.</summary>
public sealed class PartialPiece
{
    internal PartialPiece(int piece, int size, int blockSize)
    {
        Piece = piece;
        Size = size;
        BlockCount = (size + blockSize - 1) / blockSize;
        Buffer = ArrayPool<byte>.Shared.Rent(size);
        Requests = new byte[BlockCount];
        Received = new bool[BlockCount];
        Contributors = new object?[BlockCount];
    }

    public int Piece { get; }

    public int Size { get; }

    public int BlockCount { get; }

    /// <summary>Rented from <see cref="ArrayPool{T}.Shared"/>; whoever ends the piece's life returns it.</summary>
    public byte[] Buffer { get; internal set; }

    internal byte[] Requests { get; }

    internal bool[] Received { get; }

    internal int ReceivedCount { get; set; }

    internal int FreeCount { get; set; }

    /// <summary>The peer that delivered each block (for strikes when the piece fails its hash).</summary>
    public object?[] Contributors { get; }

    public bool IsComplete => ReceivedCount == BlockCount;

    /// <summary>Set for a piece that failed its hash before: only this peer may fill it, so the next failure has one culprit.</summary>
    public object? Owner { get; internal set; }
}
