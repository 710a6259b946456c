namespace GitTorrent.Engine.Client;

/// <summary>Snapshot of a download reported through <see cref="IProgress{T}"/>.</summary>
public sealed record DownloadProgress(Hash20 InfoHash, bool HasMetadata, long VerifiedBytes, long TotalBytes,
    int PiecesHave, int PieceCount, int Peers, long Downloaded, long Uploaded)
{
    public bool IsComplete => HasMetadata && PiecesHave == PieceCount;
}
