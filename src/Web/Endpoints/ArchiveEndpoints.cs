using GitTorrent.Engine.Git;
using GitTorrent.Web.Services;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// <c>/u/{owner}/{repo}/archive/{ref}.tar.gz</c> and <c>.zip</c>: <c>git archive</c> of the ref, files under
/// <c>{repo}-{ref}/</c>, streamed as git writes it (nothing buffered), bounded by <see cref="ArchiveLimiter"/>.
/// </summary>
public static class ArchiveEndpoints
{
    public static IEndpointRouteBuilder MapArchives(this IEndpointRouteBuilder endpoints)
    {
        // A constrained catch-all outranks the pages' plain one ("/u/{NameOrId}/{*Rest}") for archive URLs only.
        endpoints.MapGet("/u/{owner}/{**rest:regex(/archive/.+\\.(tar\\.gz|zip)$)}", HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string owner, string rest, RepositoryContextResolver resolver, ArchiveLimiter limiter)
    {
        var format = ArchiveFormats.Split(rest);
        var repository = format is null ? null : await resolver.ResolveAsync(owner, format.Value.Name, context.RequestAborted);
        if (format is not { } f || repository is not { StorePath: { } path, Ref: { } resolved, Action: RepositoryAction.Archive })
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var prefix = ArchiveFormats.PrefixOf(repository.Repository.Name, resolved.Name);
        var response = context.Response;
        response.ContentType = f.ContentType;
        response.Headers.ContentDisposition = $"attachment; filename*=UTF-8''{Uri.EscapeDataString(prefix + f.Extension)}";
        response.Headers.XContentTypeOptions = "nosniff";
        if (HeadRequests.IsHead(context))
        {
            return;
        }

        var (slot, status) = limiter.TryEnter(context.Connection.RemoteIpAddress);
        if (slot is null)
        {
            ArchiveLimiter.Refuse(response, status);
            await response.WriteAsync("Too many archives are being made right now; try again shortly.\n", context.RequestAborted);
            return;
        }

        using (slot)
        {
            await response.StartAsync(context.RequestAborted);
            await GitRunner.RunToStreamAsync(path, ["archive", $"--format={f.GitFormat}", $"--prefix={prefix}/", resolved.CommitId],
                response.Body, context.RequestAborted);
        }
    }
}
