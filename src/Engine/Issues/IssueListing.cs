namespace GitTorrent.Engine.Issues;

/// <summary>
/// The issues of one <c>.issues</c> tree, newest first, with every folder that could not be read.
/// <see cref="Truncated"/> says the tree had more folders than <see cref="IssueLimits.MaxIssues"/>.
/// </summary>
public sealed record IssueListing(IReadOnlyList<IssueSummary> Issues, IReadOnlyList<UnreadableIssueFile> Unreadable, bool Truncated)
{
    public static IssueListing Empty { get; } = new([], [], false);
}
