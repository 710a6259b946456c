using System.Globalization;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Reads and writes the files of docs/PROTOCOL.md section 6: <c>issue.md</c> (front matter <c>title</c>, <c>author</c>,
/// <c>created</c>, <c>state</c>, optional <c>labels</c>; unknown keys kept) and comment files (front matter
/// <c>author</c>, <c>created</c>). Every problem with a file is an error text, never an exception.
/// </summary>
public static class IssueFormat
{
    public const string TitleKey = "title";
    public const string AuthorKey = "author";
    public const string CreatedKey = "created";
    public const string StateKey = "state";
    public const string LabelsKey = "labels";

    private static readonly string[] CreatedFormats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    /// <summary><c>created</c> as written: UTC to the second, <c>2026-12-04T10:00:00Z</c>.</summary>
    public static string FormatCreated(DateTimeOffset created) =>
        created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string FormatState(IssueState state) => state == IssueState.Open ? "open" : "closed";

    /// <summary>The comment file name: <c>&lt;created Unix seconds&gt;-&lt;first 8 hex of the author id&gt;.md</c>.</summary>
    public static string CommentFileName(DateTimeOffset created, Hash20 author) =>
        string.Create(CultureInfo.InvariantCulture, $"{created.ToUnixTimeSeconds()}-{author.ToString()[..8]}.md");

    /// <summary>True for a name of the comment-file form (digits, '-', 8 lowercase hex, <c>.md</c>).</summary>
    public static bool IsCommentFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash is > 0 and <= 18 && name.Length == dash + 12 && name.EndsWith(".md", StringComparison.Ordinal)
            && name.AsSpan(0, dash).IndexOfAnyExceptInRange('0', '9') < 0
            && IssueId.IsPrefix(name.AsSpan(dash + 1, 8));
    }

    public static string WriteIssue(string title, Hash20 author, DateTimeOffset created, IssueState state, IReadOnlyList<string> labels, string body)
    {
        ArgumentNullException.ThrowIfNull(labels);
        List<FrontMatterField> fields =
        [
            new(TitleKey, title),
            new(AuthorKey, author.ToString()),
            new(CreatedKey, FormatCreated(created)),
            new(StateKey, FormatState(state)),
        ];
        if (labels.Count > 0)
        {
            fields.Add(new(LabelsKey, string.Join(", ", labels)));
        }
        return FrontMatter.Write(fields, body);
    }

    public static string WriteComment(Hash20 author, DateTimeOffset created, string body) =>
        FrontMatter.Write([new(AuthorKey, author.ToString()), new(CreatedKey, FormatCreated(created))], body);

    /// <summary>The same <c>issue.md</c> text with only its <c>state:</c> value changed.</summary>
    public static string WithState(string issueText, IssueState state) =>
        FrontMatter.ReplaceValue(issueText, StateKey, FormatState(state))
        ?? throw new ArgumentException("the text has no state field", nameof(issueText));

    public static bool TryParseIssue(ReadOnlySpan<byte> bytes, IssueLimits limits, out IssueDocument? issue, out string error)
    {
        issue = null;
        if (!FrontMatter.TryDecode(bytes, limits, out var text, out error))
        {
            return false;
        }
        return TryParseIssue(text, limits, out issue, out error);
    }

    public static bool TryParseIssue(string text, IssueLimits limits, out IssueDocument? issue, out string error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        issue = null;
        if (!FrontMatter.TryParse(text, limits, out var matter, out error))
        {
            return false;
        }
        var title = matter![TitleKey]?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            error = "missing title";
            return false;
        }
        if (title.Length > limits.MaxTitleLength)
        {
            error = $"title longer than {limits.MaxTitleLength} characters";
            return false;
        }
        if (!TryReadAuthorAndCreated(matter, out var author, out var created, out error)
            || !TryParseState(matter[StateKey], out var state, out error)
            || !TryParseLabels(matter[LabelsKey], limits, out var labels, out error))
        {
            return false;
        }
        issue = new IssueDocument(title, author, created, state, labels, matter.Body, matter.Fields);
        return true;
    }

    public static bool TryParseComment(string fileName, ReadOnlySpan<byte> bytes, IssueLimits limits, out IssueComment? comment, out string error)
    {
        comment = null;
        if (!FrontMatter.TryDecode(bytes, limits, out var text, out error)
            || !FrontMatter.TryParse(text, limits, out var matter, out error)
            || !TryReadAuthorAndCreated(matter!, out var author, out var created, out error))
        {
            return false;
        }
        comment = new IssueComment(fileName, author, created, matter!.Body);
        return true;
    }

    /// <summary>Splits a <c>labels:</c> value (comma-separated, trimmed, empty ones dropped) within the limits.</summary>
    public static bool TryParseLabels(string? value, IssueLimits limits, out IReadOnlyList<string> labels, out string error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        labels = [];
        error = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > limits.MaxLabels)
        {
            error = $"more than {limits.MaxLabels} labels";
            return false;
        }
        if (parts.FirstOrDefault(p => p.Length > limits.MaxLabelLength) is not null)
        {
            error = $"a label longer than {limits.MaxLabelLength} characters";
            return false;
        }
        labels = parts.Distinct(StringComparer.Ordinal).ToList();
        return true;
    }

    private static bool TryReadAuthorAndCreated(FrontMatter matter, out Hash20 author, out DateTimeOffset created, out string error)
    {
        created = default;
        author = default;
        var authorText = matter[AuthorKey];
        if (authorText is null)
        {
            error = "missing author";
            return false;
        }
        if (!Hash20.IsLowerHex40(authorText) || !Hash20.TryParse(authorText, out author))
        {
            error = "author is not a 40-hex user id";
            return false;
        }
        var createdText = matter[CreatedKey];
        if (createdText is null)
        {
            error = "missing created";
            return false;
        }
        if (!DateTimeOffset.TryParseExact(createdText, CreatedFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out created))
        {
            error = "created is not a date like 2026-12-04T10:00:00Z";
            return false;
        }
        error = "";
        return true;
    }

    private static bool TryParseState(string? value, out IssueState state, out string error)
    {
        state = IssueState.Open;
        error = "";
        switch (value)
        {
            case "open":
                return true;
            case "closed":
                state = IssueState.Closed;
                return true;
            case null:
                error = "missing state";
                return false;
            default:
                error = "state is neither open nor closed";
                return false;
        }
    }
}
