using Microsoft.AspNetCore.OutputCaching;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Output caching for anonymous GETs of repository pages: a page is a function of its URL and of the ref tips, which
/// <see cref="Git.GitBrowser"/> reuses for <see cref="Git.GitBrowser.RefsCacheTime"/> anyway, so whole pages are kept
/// that long. Blazor adds an antiforgery cookie to every page; these pages carry no form that needs it, so the
/// cookie is dropped from them (it would otherwise stop caching, and must never be shared between visitors).
/// </summary>
public sealed class BrowsePageCachePolicy : IOutputCachePolicy
{
    public const string Name = "browse";

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = IsRepositoryPage(request.Path)
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && context.HttpContext.User.Identity?.IsAuthenticated != true
            && !request.Headers.ContainsKey("Authorization");
        // A client that asks for a fresh page (Cache-Control: no-cache, as a browser's reload) gets one rendered,
        // and its copy is not stored: it costs what any uncached URL costs, and fills no cache.
        var fresh = request.Headers.CacheControl.Any(v => v?.Contains("no-cache", StringComparison.OrdinalIgnoreCase) == true)
            || request.Headers.Pragma.Any(v => v?.Contains("no-cache", StringComparison.OrdinalIgnoreCase) == true);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable && !fresh;
        context.AllowCacheStorage = cacheable && !fresh;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = new Microsoft.Extensions.Primitives.StringValues(["page", "state", "q", "plain"]);
        context.ResponseExpirationTimeSpan = Git.GitBrowser.RefsCacheTime;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Middleware (inside the output cache) that drops Blazor's antiforgery cookie from anonymous repository pages
    /// before the first byte reaches the cache, so these pages can be cached and no visitor's cookie is ever replayed
    /// to another. (Kestrel's OnStarting is too late: the cache takes its copy of the headers first.)
    /// </summary>
    public static Task DropCookies(HttpContext context, Func<Task> next)
    {
        if (IsRepositoryPage(context.Request.Path) && HttpMethods.IsGet(context.Request.Method)
            && context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Body = new CookieScrubbingStream(context.Response);
        }

        return next();
    }

    /// <summary>
    /// Keeps this response out of the page cache (a view that git's timeout, output budget or a busy gate cut short
    /// must not be served to others as the page). Works until the response has been written in full.
    /// </summary>
    public static void DoNotStore(HttpContext context)
    {
        if (context.Features.Get<IOutputCacheFeature>() is { } feature)
        {
            feature.Context.AllowCacheStorage = false;
        }
    }

    /// <summary>Only <c>/u/{owner}/{repo}...</c> pages: user pages, search and admin forms are never cached.</summary>
    public static bool IsRepositoryPage(PathString path) =>
        path.StartsWithSegments("/u", out var rest) && rest.Value is { } value && value.Count(c => c == '/') >= 2;

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        // Runs after the response started: only decide, never touch headers here (see DropCookies).
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.ContainsKey("Set-Cookie"))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}
