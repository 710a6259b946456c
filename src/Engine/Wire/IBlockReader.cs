namespace GitTorrent.Engine.Wire;

/// <summary>Where the send loop reads the blocks it uploads.</summary>
internal interface IBlockReader
{
    /// <summary>Fills <paramref name="destination"/> from the piece; returns false if the bytes are not there.</summary>
    bool TryReadBlock(int piece, int begin, Span<byte> destination);
}
