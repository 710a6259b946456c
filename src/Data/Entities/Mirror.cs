namespace GitTorrent.Data.Entities;

/// <summary>A repository the portal mirrors from an origin and publishes under its own identity.</summary>
public sealed class Mirror
{
    public long Id { get; set; }

    /// <summary>Repository name under the portal's identity (unique).</summary>
    public required string Name { get; set; }

    public required string OriginUrl { get; set; }

    public TimeSpan SyncInterval { get; set; }

    public DateTimeOffset? LastSync { get; set; }

    /// <summary>The last sync failure, cleared on success.</summary>
    public string? LastError { get; set; }

    /// <summary>Bytes served to peers and HTTP clients from this mirror.</summary>
    public long BytesServed { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
