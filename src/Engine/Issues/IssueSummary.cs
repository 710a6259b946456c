namespace GitTorrent.Engine.Issues;

/// <summary>What an issue list shows of one issue: its <c>issue.md</c> front matter and how many comment files it has.</summary>
public sealed record IssueSummary(
    string Id,
    string Title,
    Hash20 Author,
    DateTimeOffset Created,
    IssueState State,
    IReadOnlyList<string> Labels,
    int CommentCount)
{
    /// <summary>Newest first, then by id: the order of every issue list.</summary>
    public static int NewestFirst(IssueSummary? x, IssueSummary? y) =>
        x is null || y is null ? Comparer<object?>.Default.Compare(y, x)
        : x.Created != y.Created ? y.Created.CompareTo(x.Created)
        : string.CompareOrdinal(x.Id, y.Id);
}
