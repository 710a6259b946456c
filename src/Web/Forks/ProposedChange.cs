namespace GitTorrent.Web.Forks;

/// <summary>A fork's branch with commits the repository's default branch lacks.</summary>
public sealed record ProposedChange(ForkInfo Fork, ForkBranch Branch, int AheadBy);
