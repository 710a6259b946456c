using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using GitTorrent.Web.Services;

namespace GitTorrent.Web.Issues;

/// <summary>
/// The repeated parts of the issue pages (rows of the list, state badges, labels, authors) written straight to HTML:
/// a page of 50 issues as Razor components costs several times the CPU of the rest of the page. Every text and
/// attribute value goes through <see cref="HtmlEncoder"/>; the styles are in <c>IssueStyles.razor.css</c>.
/// </summary>
public static class IssueHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string State(IssueState state) => AppendState(new StringBuilder(), state).ToString();

    public static string Labels(IReadOnlyList<string> labels) => AppendLabels(new StringBuilder(), labels).ToString();

    public static string Author(AuthorView author, int size = 20) => AppendAuthor(new StringBuilder(), author, size).ToString();

    /// <summary>The list of issues: state, title linked to its page, labels, id, date, author, comment count.</summary>
    public static string List(IReadOnlyList<IssueSummary> issues, IReadOnlyDictionary<Hash20, AuthorView> authors, RepositoryUrls urls)
    {
        ArgumentNullException.ThrowIfNull(issues);
        ArgumentNullException.ThrowIfNull(authors);
        var html = new StringBuilder(issues.Count * 700);
        html.Append("<ul class=\"issue-list\">");
        foreach (var issue in issues)
        {
            html.Append("<li class=\"issue\">");
            AppendState(html, issue.State);
            html.Append("<div class=\"summary\"><a class=\"title\" href=\"").Append(Encoder.Encode(IssueUrls.Issue(urls, issue.Id))).Append("\">")
                .Append(Encoder.Encode(issue.Title)).Append("</a>");
            AppendLabels(html, issue.Labels);
            html.Append("<div class=\"meta\"><code class=\"id\">").Append(issue.Id).Append("</code> opened ")
                .Append(issue.Created.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(" by ");
            AppendAuthor(html, authors[issue.Author], 16);
            if (issue.CommentCount > 0)
            {
                html.Append(" <span class=\"comments\">· ").Append(issue.CommentCount).Append(issue.CommentCount == 1 ? " comment" : " comments").Append("</span>");
            }
            html.Append("</div></div></li>");
        }
        return html.Append("</ul>").ToString();
    }

    private static StringBuilder AppendState(StringBuilder html, IssueState state)
    {
        var text = IssueFormat.FormatState(state);
        return html.Append("<span class=\"state state-").Append(text).Append("\">").Append(text).Append("</span>");
    }

    private static StringBuilder AppendLabels(StringBuilder html, IReadOnlyList<string> labels)
    {
        foreach (var label in labels)
        {
            html.Append(" <span class=\"label\">").Append(Encoder.Encode(label)).Append("</span>");
        }
        return html;
    }

    private static StringBuilder AppendAuthor(StringBuilder html, AuthorView author, int size)
    {
        // The id is 40 lowercase hex digits (a Hash20), the label is encoded.
        var id = Hash20.Parse(author.UserId);
        html.Append("<span class=\"author\" title=\"").Append(id).Append("\">").Append(Identicon.Use(id, size))
            .Append("<a href=\"/u/").Append(id).Append("\">").Append(Encoder.Encode(author.Label)).Append("</a>");
        if (author.RegisteredName is null && author.DisplayName is not null)
        {
            html.Append("<span class=\"unverified\"> (profile name)</span>");
        }
        return html.Append("</span>");
    }
}
