using GitTorrent.Web.Git;

namespace GitTorrent.Web.Issues;

/// <summary>The commits that touched an issue's folder, newest first; <see cref="Incomplete"/> when the walk hit its bound.</summary>
public sealed record IssueHistory(IReadOnlyList<CommitSummary> Commits, bool Incomplete);
