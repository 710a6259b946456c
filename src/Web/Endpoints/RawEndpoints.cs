using GitTorrent.Web.Git;
using GitTorrent.Web.Services;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// <c>/raw/{owner}/{repo}/{ref}/{path}</c>: a file's bytes, streamed. Never HTML: images (png, jpg, gif, webp, svg) get
/// their image type inline, other text is <c>text/plain; charset=utf-8</c>, anything binary or large is an
/// <c>application/octet-stream</c> attachment; always <c>nosniff</c> and a sandboxing CSP (an svg opened directly
/// runs no script).
/// </summary>
public static class RawEndpoints
{
    public static IEndpointRouteBuilder MapRaw(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/raw/{owner}/{**rest}", HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string owner, string? rest, RepositoryContextResolver resolver, GitBrowser browser,
        ArchiveLimiter limiter)
    {
        var repository = await resolver.ResolveAsync(owner, rest, context.RequestAborted, raw: true);
        if (repository is not { StorePath: { } path, Ref: { } resolved, Action: RepositoryAction.Blob })
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var fileName = Path.GetFileName(repository.FilePath);
        var image = RawContentTypes.ImageTypeOf(fileName);
        // Files too large to render are piped from git, which may hold a whole blob while it inflates it: they take a
        // slot of the archive bounds (MaxArchivesPerClient -> 429, MaxArchives -> 503), as archives do.
        IDisposable? slot = null;
        var refused = false;
        try
        {
            await browser.CopyBlobAsync(path, resolved.CommitId, repository.FilePath, (size, binary) =>
            {
                var response = context.Response;
                if (size > browser.Limits.MaxRenderBytes && !HeadRequests.IsHead(context))
                {
                    (slot, var status) = limiter.TryEnter(context.Connection.RemoteIpAddress);
                    if (slot is null)
                    {
                        ArchiveLimiter.Refuse(response, status);
                        refused = true;
                        return null;
                    }
                }

                response.ContentType = image ?? (binary ? "application/octet-stream" : "text/plain; charset=utf-8");
                response.ContentLength = size;
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
                response.Headers.ContentDisposition = binary && image is null
                    ? $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}"
                    : "inline";
                return HeadRequests.IsHead(context) ? null : response.Body;
            }, context.RequestAborted);
            if (refused)
            {
                await context.Response.WriteAsync("Too many large downloads are running right now; try again shortly.\n", context.RequestAborted);
            }
        }
        finally
        {
            slot?.Dispose();
        }
    }
}
