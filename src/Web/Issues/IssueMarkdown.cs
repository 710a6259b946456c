using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Issues;
using GitTorrent.Web.Rendering;
using GitTorrent.Web.Services;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Issues;

/// <summary>
/// Issue and comment bodies as sanitised HTML (the portal's <see cref="ReadmeRenderer"/>: Markdig, then HtmlSanitizer;
/// no script, handlers, <c>javascript:</c> or <c>data:</c> URLs; relative links stay in the repository, resolved from
/// the issue's folder). Rendered HTML is cached by its text and link base, bounded in characters.
/// </summary>
public sealed class IssueMarkdown(ReadmeRenderer renderer, IOptions<IssuePageOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.MaxCachedHtmlChars });

    public string Render(string markdown, RepositoryUrls urls, string refName, string issueId)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(urls);
        var blobBase = urls.Blob(refName, "");
        var rawBase = urls.Raw(refName, "");
        var key = Hash20.Sha1(Encoding.UTF8.GetBytes($"{blobBase}\0{rawBase}\0{issueId}\0{markdown}"));
        if (_cache.TryGetValue(key, out string? html))
        {
            return html!;
        }
        html = renderer.Render(key.ToString(), markdown, IssuePaths.Folder(issueId), blobBase, rawBase);
        _cache.Set(key, html, new MemoryCacheEntryOptions { Size = 64 + html.Length });
        return html;
    }

    public void Dispose() => _cache.Dispose();
}
