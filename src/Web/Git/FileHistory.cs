namespace GitTorrent.Web.Git;

/// <summary>
/// The commits that changed a file or folder, newest first (<c>git log --follow</c> for a file); <see cref="Stop"/>
/// says why the list may end early (or is empty: refused).
/// </summary>
public sealed record FileHistory(IReadOnlyList<CommitSummary> Commits, GitWorkStop Stop);
