namespace GitTorrent.Engine.Issues;

/// <summary>The branch an issue commit goes on (full ref name) and its tip now, null when the branch has no commit yet.</summary>
public sealed record IssueCommitTarget(string Branch, Hash20? Parent);
