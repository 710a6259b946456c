using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace GitTorrent.Web.Rendering;

/// <summary>
/// Renders a README with Markdig, resolves relative links inside the repository (links to the blob view, images to
/// the raw endpoint; a link that climbs out of the repository goes nowhere), then sanitises the HTML: no scripts,
/// no event handlers, no <c>javascript:</c> or <c>data:</c> URLs.
/// </summary>
public sealed class ReadmeRenderer
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
    public string Render(string markdown, string directory, string blobBase, string rawBase)
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
        return sanitizer;
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
