namespace GitTorrent.Data.Entities;

/// <summary>One ref of a repository as published in the owner's profile.</summary>
public sealed class RepositoryRef
{
    public long Id { get; set; }

    public long RepositoryId { get; set; }

    public Repository? Repository { get; set; }

    /// <summary>Full ref name, e.g. <c>refs/heads/main</c>.</summary>
    public required string Name { get; set; }

    /// <summary>40 lowercase hex chars: the object id the ref points at.</summary>
    public required string Target { get; set; }
}
