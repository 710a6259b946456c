namespace GitTorrent.Web.Forks;

/// <summary>A branch of a fork: short name and tip.</summary>
public sealed record ForkBranch(string ShortName, string CommitId);
