namespace GitTorrent.Web.Forks;

/// <summary>The answer of a merge check: clean, the conflicted files, or unknown with the reason.</summary>
public sealed record MergeCheck(MergeState State, IReadOnlyList<string> ConflictedFiles, string? Reason);
