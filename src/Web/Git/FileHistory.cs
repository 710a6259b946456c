namespace GitTorrent.Web.Git;

/// <summary>The commits that changed a file or folder, newest first (<c>git log --follow</c> for a file).</summary>
public sealed record FileHistory(IReadOnlyList<CommitSummary> Commits, bool Complete);
