using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using GitTorrent.Web.Components.Shared;
using GitTorrent.Web.Git;
using GitTorrent.Web.Services;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// The two largest repeated parts of repository pages written straight to HTML (every text and attribute through
/// <see cref="HtmlEncoder"/>), so callers can cache them as strings: the tree's rows (hundreds of rows with links,
/// subjects and dates) and the branch/tag menu (up to 400 links). Rendering them as components cost most of an
/// uncached page.
/// </summary>
public static class HtmlFragments
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>The rows of a tree listing; <paramref name="last"/> null = the column is still being computed.</summary>
    public static string TreeRows(IReadOnlyList<TreeEntryView> entries, LastCommits? last, RepositoryUrls urls, string refName, string directory, DateTimeOffset now)
    {
        var html = new StringBuilder(256 + (entries.Count * 400));
        if (directory.Length > 0)
        {
            var parent = directory.Contains('/') ? directory[..directory.LastIndexOf('/')] : "";
            html.Append("<tr><td class=\"name\"><a href=\"").Append(Encoder.Encode(urls.Tree(refName, parent)))
                .Append("\" aria-label=\"Parent folder\">..</a></td><td></td><td></td><td></td></tr>");
        }

        foreach (var entry in entries)
        {
            html.Append("<tr class=\"entry-").Append(entry.Kind.ToString().ToLowerInvariant()).Append("\"><td class=\"name\"><span class=\"icon\" aria-hidden=\"true\"></span>");
            switch (entry.Kind)
            {
                case TreeEntryKind.Directory:
                    Link(html, urls.Tree(refName, entry.Path), entry.Name + "/");
                    break;
                case TreeEntryKind.Submodule:
                    html.Append("<span>").Append(Encoder.Encode(entry.Name)).Append(" (submodule)</span>");
                    break;
                default:
                    Link(html, urls.Blob(refName, entry.Path), entry.Name);
                    break;
            }

            html.Append("</td><td class=\"last-commit\">");
            var commit = last?.ByName.GetValueOrDefault(entry.Name);
            if (commit is not null)
            {
                Link(html, urls.Commit(commit.Id), commit.Subject);
            }
            else if (last is null)
            {
                html.Append("<span class=\"loading\" aria-hidden=\"true\">…</span>");
            }

            html.Append("</td><td class=\"when\">");
            if (commit is not null)
            {
                Time(html, commit.When, now);
            }

            html.Append("</td><td class=\"size\">").Append(entry.Kind is TreeEntryKind.File ? ByteSize.Format(entry.Size) : "").Append("</td></tr>");
        }

        return html.ToString();
    }

    /// <summary>The branch and tag lists of the ref switcher, each sorted and cut at <paramref name="maxEach"/>.</summary>
    public static string RefMenu(IReadOnlyList<GitRefView> refs, Func<string, string> target, int maxEach)
    {
        var html = new StringBuilder(512 + (Math.Min(refs.Count, 2 * maxEach) * 120));
        html.Append("<h3>Branches</h3><ul>");
        foreach (var branch in refs.Where(r => !r.IsTag).OrderBy(r => r.ShortName, StringComparer.Ordinal).Take(maxEach))
        {
            html.Append("<li>");
            Link(html, target(branch.ShortName), branch.ShortName);
            html.Append("</li>");
        }

        html.Append("</ul>");
        if (refs.Any(r => r.IsTag))
        {
            html.Append("<h3>Tags</h3><ul>");
            foreach (var tag in refs.Where(r => r.IsTag).OrderByDescending(r => r.ShortName, StringComparer.Ordinal).Take(maxEach))
            {
                html.Append("<li>");
                Link(html, target(tag.ShortName), tag.ShortName);
                html.Append("</li>");
            }

            html.Append("</ul>");
        }

        return html.ToString();
    }

    /// <summary>The rows of a blame table: a commit cell spanning each hunk, then numbered lines.</summary>
    public static string BlameRows(BlameView blame, RepositoryUrls urls, DateTimeOffset now)
    {
        var html = new StringBuilder(256 + (blame.LineCount * 120));
        foreach (var hunk in blame.Hunks)
        {
            for (var i = 0; i < hunk.Lines.Count; i++)
            {
                var number = (hunk.StartLine + i).ToString(CultureInfo.InvariantCulture);
                html.Append("<tr id=\"L").Append(number).Append('"').Append(i == 0 ? " class=\"hunk-start\"" : "")
                    .Append(" data-commit=\"").Append(hunk.Commit.Id).Append("\">");
                if (i == 0)
                {
                    html.Append("<td class=\"blame-commit\" rowspan=\"").Append(hunk.Lines.Count).Append("\">");
                    Link(html, urls.Commit(hunk.Commit.Id), hunk.Commit.Subject);
                    html.Append("<span class=\"meta\">").Append(Encoder.Encode(hunk.Commit.AuthorName)).Append(" · ");
                    Time(html, hunk.Commit.When, now);
                    html.Append("</span></td>");
                }

                html.Append("<td class=\"line-number\"><a href=\"#L").Append(number).Append("\">").Append(number)
                    .Append("</a></td><td class=\"line\">").Append(Encoder.Encode(hunk.Lines[i])).Append("</td></tr>");
            }
        }

        return html.ToString();
    }

    /// <summary>The same element as the RelativeTime component.</summary>
    public static void Time(StringBuilder html, DateTimeOffset when, DateTimeOffset now) =>
        html.Append("<time datetime=\"").Append(when.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
            .Append("\" title=\"").Append(RelativeDate.Exact(when)).Append("\">").Append(RelativeDate.Format(when, now)).Append("</time>");

    private static void Link(StringBuilder html, string href, string text) =>
        html.Append("<a href=\"").Append(Encoder.Encode(href)).Append("\">").Append(Encoder.Encode(text)).Append("</a>");
}
