using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Issues;

/// <summary>What <c>gittorrent issue list</c> and <c>show</c> print: a table or text like git's, or JSON for scripts.</summary>
internal static class IssueOutput
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line per issue, like <c>git branch -v</c>: id, state, title, labels, comment count.</summary>
    public static string Table(IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }
        return text.ToString();
    }

    public static string TableLine(IssueSummary issue)
    {
        var text = new StringBuilder(96);
        text.Append(issue.Id).Append("  ").Append(IssueFormat.FormatState(issue.State).PadRight(6)).Append("  ").Append(issue.Title);
        if (issue.Labels.Count > 0)
        {
            text.Append(" [").AppendJoin(", ", issue.Labels).Append(']');
        }
        if (issue.CommentCount > 0)
        {
            text.Append(" (").Append(issue.CommentCount).Append(issue.CommentCount == 1 ? " comment)" : " comments)");
        }
        return text.ToString();
    }

    public static string ListJson(string reference, string? commit, IReadOnlyList<IssueSummary> issues, IssueListing listing)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("ref", reference);
            json.WriteString("commit", commit);
            json.WriteStartArray("issues");
            foreach (var issue in issues)
            {
                json.WriteStartObject();
                WriteSummaryFields(json, issue);
                json.WriteNumber("comments", issue.CommentCount);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteUnreadable(json, listing.Unreadable);
            json.WriteBoolean("truncated", listing.Truncated);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string ShowJson(IssueSummary summary, IssueDetail detail)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            WriteSummaryFields(json, summary);
            json.WriteString("body", detail.Document?.Body);
            json.WriteStartArray("comments");
            foreach (var comment in detail.Comments)
            {
                json.WriteStartObject();
                json.WriteString("file", comment.FileName);
                json.WriteString("author", comment.Author.ToString());
                json.WriteString("created", IssueFormat.FormatCreated(comment.Created));
                json.WriteString("body", comment.Body);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("commentsNotShown", detail.CommentsNotShown);
            WriteUnreadable(json, detail.Unreadable);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The issue as text, like <c>git show</c>: facts, then the body and each comment indented.</summary>
    public static string ShowText(IssueSummary summary, IssueDetail detail)
    {
        var text = new StringBuilder();
        text.Append("issue ").Append(summary.Id).Append("  ").Append(IssueFormat.FormatState(summary.State)).Append('\n');
        text.Append("Title:   ").Append(summary.Title).Append('\n');
        text.Append("Author:  ").Append(summary.Author).Append('\n');
        text.Append("Created: ").Append(IssueFormat.FormatCreated(summary.Created)).Append('\n');
        if (summary.Labels.Count > 0)
        {
            text.Append("Labels:  ").AppendJoin(", ", summary.Labels).Append('\n');
        }
        AppendIndented(text, detail.Document?.Body ?? "");
        foreach (var comment in detail.Comments)
        {
            text.Append('\n').Append("comment ").Append(comment.FileName).Append('\n');
            text.Append("Author:  ").Append(comment.Author).Append('\n');
            text.Append("Created: ").Append(IssueFormat.FormatCreated(comment.Created)).Append('\n');
            AppendIndented(text, comment.Body);
        }
        if (detail.CommentsNotShown > 0)
        {
            text.Append('\n').Append(detail.CommentsNotShown).Append(" more comments not shown\n");
        }
        return text.ToString();
    }

    private static void AppendIndented(StringBuilder text, string body)
    {
        var trimmed = body.TrimEnd('\n', '\r');
        if (trimmed.Length == 0)
        {
            return;
        }
        text.Append('\n');
        foreach (var line in trimmed.Split('\n'))
        {
            text.Append("    ").Append(line.TrimEnd('\r')).Append('\n');
        }
    }

    private static void WriteSummaryFields(Utf8JsonWriter json, IssueSummary issue)
    {
        json.WriteString("id", issue.Id);
        json.WriteString("title", issue.Title);
        json.WriteString("author", issue.Author.ToString());
        json.WriteString("created", IssueFormat.FormatCreated(issue.Created));
        json.WriteString("state", IssueFormat.FormatState(issue.State));
        json.WriteStartArray("labels");
        foreach (var label in issue.Labels)
        {
            json.WriteStringValue(label);
        }
        json.WriteEndArray();
    }

    private static void WriteUnreadable(Utf8JsonWriter json, IReadOnlyList<UnreadableIssueFile> unreadable)
    {
        json.WriteStartArray("unreadable");
        foreach (var file in unreadable)
        {
            json.WriteStartObject();
            json.WriteString("path", file.Path);
            json.WriteString("reason", file.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
