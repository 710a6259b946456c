namespace GitTorrent.Engine.Issues;

/// <summary>
/// One file an issue command writes: its path in the tree and its whole new text. <see cref="IsNew"/> marks a file
/// that must not exist yet (a new issue or comment): the commit is refused rather than overwrite one.
/// </summary>
public sealed record IssueFileChange(string Path, string Content, bool IsNew);
