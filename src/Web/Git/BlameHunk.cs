namespace GitTorrent.Web.Git;

/// <summary>Consecutive lines of a file that one commit last changed; <see cref="StartLine"/> is 1-based.</summary>
public sealed record BlameHunk(CommitSummary Commit, int StartLine, IReadOnlyList<string> Lines);
