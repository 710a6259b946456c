namespace GitTorrent.Engine.Issues;

/// <summary>A file or folder under <c>.issues/</c> that could not be read as the format says, and why.</summary>
public sealed record UnreadableIssueFile(string Path, string Reason);
