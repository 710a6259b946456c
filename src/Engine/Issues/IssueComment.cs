namespace GitTorrent.Engine.Issues;

/// <summary>A parsed comment file <c>.issues/&lt;id&gt;/comments/&lt;created&gt;-&lt;author8&gt;.md</c>.</summary>
public sealed record IssueComment(string FileName, Hash20 Author, DateTimeOffset Created, string Body)
{
    /// <summary>Comments are ordered by <c>created</c>, then by file name (docs/PROTOCOL.md section 6).</summary>
    public static int Compare(IssueComment? x, IssueComment? y) =>
        x is null || y is null ? Comparer<object?>.Default.Compare(x, y)
        : x.Created != y.Created ? x.Created.CompareTo(y.Created)
        : string.CompareOrdinal(x.FileName, y.FileName);
}
