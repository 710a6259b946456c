namespace GitTorrent.Data.Entities;

/// <summary>A pack the portal seeds as a torrent.</summary>
public sealed class SeededPack
{
    /// <summary>40 lowercase hex chars: the torrent's v1 infohash.</summary>
    public required string InfoHash { get; set; }

    /// <summary>40 lowercase hex chars: the commit the pack was built for.</summary>
    public required string Commit { get; set; }

    public long Size { get; set; }

    public long BytesUploaded { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
