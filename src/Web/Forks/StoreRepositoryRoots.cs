using GitTorrent.Engine;

namespace GitTorrent.Web.Forks;

/// <summary>What the fork index knows of one store repository: its default branch, tip, branches and root commits.</summary>
public sealed record StoreRepositoryRoots(
    string OwnerId,
    string Name,
    string Path,
    string? DefaultBranch,
    string? Tip,
    IReadOnlySet<Hash20> Roots,
    IReadOnlyList<ForkBranch> Branches);
