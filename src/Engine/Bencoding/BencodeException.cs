namespace GitTorrent.Engine.Bencoding;

/// <summary>Thrown by <see cref="BencodeReader.Decode"/> on input that is not acceptable bencode.</summary>
public sealed class BencodeException(BencodeError error, int position)
    : GitTorrentException($"Malformed bencode at byte {position}: {error}.")
{
    public BencodeError Error { get; } = error;

    public int Position { get; } = position;
}
