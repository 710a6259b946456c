namespace GitTorrent.Web.Forks;

/// <summary>A repository in the store that shares a root commit of its default branch with another.</summary>
public sealed record ForkInfo(string OwnerId, string Name, string Path, string? DefaultBranch, IReadOnlyList<ForkBranch> Branches);
