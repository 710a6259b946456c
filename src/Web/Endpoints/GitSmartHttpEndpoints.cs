using System.Diagnostics;
using System.IO.Compression;
using GitTorrent.Engine.Git;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Mirrors;
using GitTorrent.Web.Services;
using Microsoft.AspNetCore.Http.Features;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Read-only git smart HTTP at <c>/{nameOrId}/{repo}.git</c>: <c>info/refs?service=git-upload-pack</c> and
/// <c>git-upload-pack</c> run the real <c>git upload-pack --stateless-rpc</c> (protocol v0, and v2 when the client
/// sends <c>Git-Protocol</c>); request bodies may be gzip; responses stream. Pushes get 403 with a message git shows.
/// </summary>
public static partial class GitSmartHttpEndpoints
{
    public const string PushRefused = "This portal serves repositories read-only: push to the owner's own GitTorrent node instead (git push gittorrent://...).";
    private const long MaxRequestBody = 256L * 1024 * 1024;

    public static IEndpointRouteBuilder MapGitSmartHttp(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/{owner}/{**rest}", ["GET", "POST"], HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string owner, string? rest, UserDirectory directory, RepositoryStore store,
        PortalIdentity identity, MirrorService mirrors, ILoggerFactory loggers)
    {
        var cut = rest?.IndexOf(".git/", StringComparison.Ordinal) ?? -1;
        if (rest is null || cut <= 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var name = rest[..cut];
        var operation = rest[(cut + 5)..];
        var cancellationToken = context.RequestAborted;
        var resolved = await directory.ResolveOwnerAsync(owner, cancellationToken);
        var known = resolved is not null && (await directory.RepositoriesAsync(resolved.UserId, cancellationToken)).Any(r => r.Name == name);
        var path = known ? store.PathOf(resolved!.UserId, name) : null;
        if (path is null || !RepositoryScanner.IsGitDirectory(path))
        {
            await TextAsync(context, StatusCodes.Status404NotFound, $"Repository not found: {owner}/{name}");
            return;
        }

        var service = context.Request.Query["service"].ToString();
        var isPush = operation == "git-receive-pack" || (operation == "info/refs" && service == "git-receive-pack");
        if (isPush)
        {
            await TextAsync(context, StatusCodes.Status403Forbidden, PushRefused);
            return;
        }

        var protocol = context.Request.Headers["Git-Protocol"].ToString();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (protocol.Length > 0 && protocol.Length < 256 && protocol.All(c => c is >= ' ' and <= '~'))
        {
            environment["GIT_PROTOCOL"] = protocol;
        }

        var logger = loggers.CreateLogger(typeof(GitSmartHttpEndpoints));
        long served;
        if (operation == "info/refs" && HttpMethods.IsGet(context.Request.Method) && service == "git-upload-pack")
        {
            context.Response.ContentType = "application/x-git-upload-pack-advertisement";
            NoCache(context.Response);
            if (!protocol.Contains("version=2", StringComparison.Ordinal))
            {
                // Protocol v0/v1: the smart-HTTP service announcement precedes the refs (git http-backend does the same).
                await context.Response.Body.WriteAsync("001e# service=git-upload-pack\n0000"u8.ToArray(), cancellationToken);
            }

            served = await RunAsync(path, ["upload-pack", "--stateless-rpc", "--advertise-refs", "."], null, context, environment, logger);
        }
        else if (operation == "git-upload-pack" && HttpMethods.IsPost(context.Request.Method))
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxRequestBody;
            }

            context.Response.ContentType = "application/x-git-upload-pack-result";
            NoCache(context.Response);
            var body = context.Request.Headers.ContentEncoding.ToString() switch
            {
                "gzip" or "x-gzip" => new GZipStream(context.Request.Body, CompressionMode.Decompress),
                _ => context.Request.Body,
            };
            served = await RunAsync(path, ["upload-pack", "--stateless-rpc", "."], body, context, environment, logger);
        }
        else
        {
            await TextAsync(context, StatusCodes.Status404NotFound, "Only git's smart HTTP protocol is served here (git clone/fetch).");
            return;
        }

        if (resolved!.UserId == identity.UserId && served > 0)
        {
            await mirrors.AddBytesServedAsync(name, served, CancellationToken.None);
        }
    }

    private static async Task<long> RunAsync(string path, string[] arguments, Stream? input, HttpContext context,
        Dictionary<string, string> environment, ILogger logger)
    {
        var cancellationToken = context.RequestAborted;
        using var process = Process.Start(GitRunner.CreateStartInfo(path, arguments, environment))
            ?? throw new InvalidOperationException("Could not start git.");
        using var kill = cancellationToken.Register(() => Kill(process));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var feeding = Task.Run(async () =>
        {
            try
            {
                if (input is not null)
                {
                    await input.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException)
            {
                // The client went away, sent a broken gzip body, or git stopped reading; git's exit decides.
            }
            finally
            {
                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Already closed by git.
                }
            }
        }, CancellationToken.None);

        var counter = new CountingWriteStream(context.Response.Body);
        try
        {
            await process.StandardOutput.BaseStream.CopyToAsync(counter, 64 * 1024, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Kill(process);
        }

        await feeding;
        await process.WaitForExitAsync(CancellationToken.None);
        if (process.ExitCode != 0 && !cancellationToken.IsCancellationRequested)
        {
            LogGitFailed(logger, path, process.ExitCode, (await stderr).Trim());
        }

        return counter.Count;
    }

    private static void NoCache(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache, max-age=0, must-revalidate";
        response.Headers.Pragma = "no-cache";
    }

    private static async Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "git upload-pack in {Path} exited with {ExitCode}: {Error}")]
    private static partial void LogGitFailed(ILogger logger, string path, int exitCode, string error);
}
