namespace GitTorrent.Data.Entities;

/// <summary>A repository listed in a user's profile.</summary>
public sealed class Repository
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    public User? User { get; set; }

    /// <summary>Repository name as published (unique per user).</summary>
    public required string Name { get; set; }

    /// <summary>The symbolic HEAD as published (e.g. <c>refs/heads/main</c>), if any.</summary>
    public string? Head { get; set; }

    public DateTimeOffset LastUpdated { get; set; }

    public List<RepositoryRef> Refs { get; set; } = [];
}
