namespace GitTorrent.Web.Git;

/// <summary>
/// The last commit that changed each entry of a directory (GitHub's tree columns: what <c>git log -1 -- entry</c>
/// names) and the one that last changed the directory itself. <see cref="Stop"/> is not
/// <see cref="GitWorkStop.None"/> when the walk ran out of time (or was refused) before every entry was found.
/// </summary>
public sealed record LastCommits(IReadOnlyDictionary<string, CommitSummary> ByName, CommitSummary? Latest, GitWorkStop Stop);
