namespace GitTorrent.Engine.Issues;

/// <summary>
/// One issue read whole: its document (null when <c>issue.md</c> is unreadable), its comments in order (at most
/// <see cref="IssueLimits.MaxCommentsPerIssue"/>; <see cref="CommentsNotShown"/> counts the rest) and every file of
/// the folder that could not be read.
/// </summary>
public sealed record IssueDetail(
    string Id,
    IssueDocument? Document,
    IReadOnlyList<IssueComment> Comments,
    int CommentsNotShown,
    IReadOnlyList<UnreadableIssueFile> Unreadable);
