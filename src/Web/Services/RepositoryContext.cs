using GitTorrent.Web.Git;

namespace GitTorrent.Web.Services;

/// <summary>
/// Everything a repository page needs, resolved once per request (Gitea's repo context): owner, repository, the
/// store path (null while the repository has not arrived), the view, the ref and the path inside the tree.
/// </summary>
public sealed record RepositoryContext(
    string OwnerSegment,
    OwnerInfo Owner,
    RepositoryRecord Repository,
    string? StorePath,
    RepositoryAction Action,
    ResolvedRef? Ref,
    string FilePath,
    string? CommitId,
    IReadOnlyList<GitRefView> Refs,
    string? DefaultBranch)
{
    public RepositoryUrls Urls { get; } = new(OwnerSegment, Repository.Name);

    public bool HasArrived => StorePath is not null;

    /// <summary>The ref name for links (current ref, else the default branch).</summary>
    public string? RefName => Ref?.Name ?? DefaultBranch;
}
