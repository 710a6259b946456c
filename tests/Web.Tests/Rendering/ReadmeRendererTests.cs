using AngleSharp.Html.Parser;
using GitTorrent.Web.Git;
using GitTorrent.Web.Rendering;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Rendering;

/// <summary>
/// ReadmeRenderer alone (no portal): relative links resolved inside the repository against the README's folder,
/// links out of it going nowhere, other hosts' images turned into links, and the attacker's HTML made inert. Every
/// expected URL below is worked out by hand from the README's folder (docs/) and the two prefixes.
/// </summary>
public sealed class ReadmeRendererTests : IDisposable
{
    private const string Blob = "/u/0123456789abcdef0123456789abcdef01234567/proj/blob/main";
    private const string Raw = "/raw/0123456789abcdef0123456789abcdef01234567/proj/main";
    private readonly BrowseCache _cache = new(Options.Create(new BrowseOptions()));

    public void Dispose() => _cache.Dispose();

    private AngleSharp.Html.Dom.IHtmlDocument Render(string markdown) =>
        new HtmlParser().ParseDocument("<body>" + new ReadmeRenderer(_cache).Render(Guid.NewGuid().ToString("N"), markdown, "docs", Blob, Raw) + "</body>");

    [Fact]
    public void Relative_links_resolve_inside_the_repository_and_escaping_ones_go_nowhere()
    {
        var html = Render("""
            [guide](guide.md#setup) [up](../README.md) [out](../../etc/passwd) [space](my%20file.txt) [anchor](#usage)
            [site](https://example.com/x) [mail](mailto:a@example.com)

            ![logo](img/logo.png)
            """);
        string Href(string text) => html.QuerySelectorAll("a").Single(a => a.TextContent == text).GetAttribute("href")!;
        Assert.Equal($"{Blob}/docs/guide.md#setup", Href("guide"));
        Assert.Equal($"{Blob}/README.md", Href("up"));
        Assert.Equal("#", Href("out"));
        Assert.Equal($"{Blob}/docs/my%20file.txt", Href("space"));
        Assert.Equal("#usage", Href("anchor"));
        Assert.Equal("https://example.com/x", Href("site"));
        Assert.Equal("nofollow noreferrer", html.QuerySelectorAll("a").Single(a => a.TextContent == "site").GetAttribute("rel"));
        Assert.Null(html.QuerySelectorAll("a").Single(a => a.TextContent == "guide").GetAttribute("rel"));
        Assert.Equal("mailto:a@example.com", Href("mail"));
        Assert.Equal($"{Raw}/docs/img/logo.png", html.QuerySelector("img")!.GetAttribute("src"));
    }

    [Fact]
    public void Hostile_html_is_inert_and_other_hosts_images_become_links()
    {
        var html = Render("""
            <script>alert(1)</script>
            <img src="img/x.png" onerror="alert(2)"> <a href="javascript:alert(3)">js</a> <a href="data:text/html,hi">data</a>
            <iframe src="https://evil.example/"></iframe> <form action="/x"><input name="q"></form> <p style="position:fixed">styled</p>

            ![tracker](https://images.example.com/t.png)
            """);
        var body = html.Body!.InnerHtml;
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", body, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(html.QuerySelectorAll("iframe, form, input, [style]"));
        Assert.Null(html.QuerySelectorAll("a").Single(a => a.TextContent == "js").GetAttribute("href"));

        // The tracker image is never loaded: a link saying what it was, to the host the README named.
        Assert.DoesNotContain(html.QuerySelectorAll("img"), i => i.GetAttribute("src")!.Contains("images.example.com", StringComparison.Ordinal));
        // (A raw <img> with a relative path is not resolved, so it is not ours either: it becomes such a link too.)
        Assert.Equal(["img/x.png", "https://images.example.com/t.png"],
            html.QuerySelectorAll("a.external-image").Select(a => a.GetAttribute("href")));
        var link = html.QuerySelectorAll("a.external-image")[1];
        Assert.Equal("https://images.example.com/t.png", link.GetAttribute("href"));
        Assert.Equal("image: tracker", link.TextContent);
        Assert.Equal("nofollow noreferrer", link.GetAttribute("rel"));
    }

    [Fact]
    public void First_paragraph_skips_headings_and_short_lines_and_is_cut_at_the_limit()
    {
        Assert.Equal("A tool that shares repositories.", ReadmeRenderer.FirstParagraph("# Title\n\nShort.\n\nA tool that shares repositories.\n", 100));
        Assert.Equal("A tool that…", ReadmeRenderer.FirstParagraph("A tool that shares repositories.", 11));
        Assert.Null(ReadmeRenderer.FirstParagraph("# Only a heading\n\nTiny.\n", 100));
        Assert.True(ReadmeRenderer.IsMarkdown("README.MD"));
        Assert.True(ReadmeRenderer.IsMarkdown("notes.markdown"));
        Assert.False(ReadmeRenderer.IsMarkdown("README.txt"));
    }
}
