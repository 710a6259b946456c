using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// Renders a README with Markdig, resolves relative links inside the repository (links to the blob view, images to
/// the raw endpoint; a link that climbs out of the repository goes nowhere), then sanitises the HTML: no scripts,
/// no event handlers, no <c>javascript:</c> or <c>data:</c> URLs. Images from other hosts become links
/// ("image: alt"): a visitor's browser never loads anything from a host the README names (its address would leak
/// there), and links to other hosts carry <c>rel="nofollow noreferrer"</c>.
/// </summary>
public sealed class ReadmeRenderer(GitTorrent.Web.Git.BrowseCache cache)
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .Build();

    public static bool IsMarkdown(string fileName) =>
        fileName.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase);

    /// <param name="markdown">The README text.</param>
    /// <param name="directory">The README's folder inside the repository ("" at the root).</param>
    /// <param name="blobBase">Prefix of blob URLs at the current ref, e.g. <c>/u/ID/repo/blob/main</c>.</param>
    /// <param name="rawBase">Prefix of raw URLs at the current ref, e.g. <c>/raw/ID/repo/main</c>.</param>
    /// <param name="blobId">The Markdown blob's id: the rendered HTML is cached by it and the three prefixes.</param>
    public string Render(string blobId, string markdown, string directory, string blobBase, string rawBase) => cache.GetOrCreate(
        ("markdown", blobId, directory, blobBase, rawBase), () => Render(markdown, directory, blobBase, rawBase),
        GitTorrent.Web.Git.BrowseCache.StringBytes);

    private static string Render(string markdown, string directory, string blobBase, string rawBase)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (link.Url is { } url && IsRelative(url))
            {
                link.Url = Resolve(url, directory, link.IsImage ? rawBase : blobBase);
            }
        }

        var html = document.ToHtml(Pipeline);
        return CreateSanitizer().Sanitize(html);
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedAttributes.Add("id");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Remove("input");
        sanitizer.AllowedTags.Remove("button");
        sanitizer.AllowedTags.Remove("textarea");
        sanitizer.AllowedTags.Remove("select");
        foreach (var media in (string[])["picture", "source", "video", "audio", "track", "iframe", "object", "embed"])
        {
            sanitizer.AllowedTags.Remove(media);
        }

        sanitizer.AllowedAttributes.Remove("srcset");
        sanitizer.AllowedAttributes.Remove("background");
        sanitizer.AllowedAttributes.Remove("poster");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is not AngleSharp.Dom.IElement element)
            {
                return;
            }

            if (element.LocalName == "img" && !IsOwn(element.GetAttribute("src")))
            {
                var link = e.Document.CreateElement("a");
                var source = element.GetAttribute("src") ?? "";
                link.SetAttribute("href", source);
                link.SetAttribute("rel", "nofollow noreferrer");
                link.SetAttribute("class", "external-image");
                link.TextContent = "image: " + (string.IsNullOrWhiteSpace(element.GetAttribute("alt")) ? source : element.GetAttribute("alt"));
                e.ReplacementNodes.Add(link);
            }
            else if (element.LocalName == "a" && !IsOwn(element.GetAttribute("href")))
            {
                element.SetAttribute("rel", "nofollow noreferrer");
            }
        };
        return sanitizer;
    }

    /// <summary>A URL of this portal: a path (our /raw and pages) or an anchor; never another host.</summary>
    private static bool IsOwn(string? url) =>
        url is { Length: > 0 } && (url[0] == '#' || (url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)));

    /// <summary>
    /// The README's first paragraph as plain text (the repository's description when it has no other), at most
    /// <paramref name="maxChars"/> characters; null when it has none.
    /// </summary>
    public static string? FirstParagraph(string markdown, int maxChars)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var paragraph in document.Descendants<ParagraphBlock>())
        {
            var text = string.Concat(paragraph.Inline?.Descendants<LiteralInline>().Select(l => l.Content.ToString()) ?? []).Trim();
            if (text.Length >= 10)
            {
                return text.Length <= maxChars ? text : text[..maxChars].TrimEnd() + "…";
            }
        }

        return null;
    }

    private static bool IsRelative(string url) =>
        url.Length > 0 && url[0] is not ('#' or '/') && !url.Contains(':', StringComparison.Ordinal)
        && !url.StartsWith("//", StringComparison.Ordinal);

    private static string Resolve(string url, string directory, string basePath)
    {
        var cut = url.IndexOfAny(['#', '?']);
        var suffix = cut >= 0 && url[cut] == '#' ? url[cut..] : string.Empty;
        var target = cut >= 0 ? url[..cut] : url;
        var stack = new List<string>(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (var segment in Uri.UnescapeDataString(target).Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (stack.Count == 0)
                {
                    return "#"; // outside the repository
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(segment);
        }

        return basePath + "/" + string.Join('/', stack.Select(Uri.EscapeDataString)) + suffix;
    }
}
