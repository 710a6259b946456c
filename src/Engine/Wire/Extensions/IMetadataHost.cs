namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>The torrent behind a connection, as ut_metadata sees it.</summary>
internal interface IMetadataHost
{
    /// <summary>The info dictionary, or empty while we do not have it.</summary>
    ReadOnlyMemory<byte> InfoBytes { get; }

    /// <summary>The remote said it can serve <paramref name="size"/> bytes of metadata.</summary>
    void OnMetadataOffered(PeerConnection connection, int size);

    void OnMetadataPiece(PeerConnection connection, int piece, int totalSize, ReadOnlySpan<byte> data);

    void OnMetadataRejected(PeerConnection connection, int piece);
}
