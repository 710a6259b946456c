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
/// Bounds (<see cref="GitHttpOptions"/>): upload-pack processes per address, with a short bounded wait for a
/// taken slot, and in total (429/503 with <c>Retry-After</c>, taken before git starts), the request body as sent and as
/// inflated (413).
/// </summary>
public static partial class GitSmartHttpEndpoints
{
    public const string PushRefused = "This portal serves repositories read-only: push to the owner's own GitTorrent node instead (git push gittorrent://...).";
    public const string BusyPerAddress = "Too many git requests from your address at once: retry in a few seconds.";
    public const string BusyTotal = "The portal is serving as many git clones as it can: retry in a few seconds.";

    public static IEndpointRouteBuilder MapGitSmartHttp(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/{owner}/{**rest}", ["GET", "POST"], HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string owner, string? rest, UserDirectory directory, RepositoryStore store,
        PortalIdentity identity, MirrorService mirrors, Traffic.TrafficMeter traffic, [FromKeyedServices(ClientSlots.UploadPack)] ClientSlots slots, PortalCounters counters,
        Microsoft.Extensions.Options.IOptions<GitHttpOptions> options, ILoggerFactory loggers)
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
        var (resolved, path) = await FindAsync(owner, name, directory, store, cancellationToken);
        if (path is null)
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

        var isAdvertisement = operation == "info/refs" && HttpMethods.IsGet(context.Request.Method) && service == "git-upload-pack";
        if (!isAdvertisement && !(operation == "git-upload-pack" && HttpMethods.IsPost(context.Request.Method)))
        {
            await TextAsync(context, StatusCodes.Status404NotFound, "Only git's smart HTTP protocol is served here (git clone/fetch).");
            return;
        }

        var settings = options.Value;
        var (slot, refusal) = await slots.TakeAsync(context);
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(settings.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TextAsync(context, refusal, refusal == StatusCodes.Status429TooManyRequests ? BusyPerAddress : BusyTotal);
            return;
        }

        var logger = loggers.CreateLogger(typeof(GitSmartHttpEndpoints));
        long served;
        using (slot)
        {
            if (isAdvertisement)
            {
                context.Response.ContentType = "application/x-git-upload-pack-advertisement";
                NoCache(context.Response);
                byte[] announcement = protocol.Contains("version=2", StringComparison.Ordinal) ? [] : "001e# service=git-upload-pack\n0000"u8.ToArray();
                // Protocol v0/v1: the smart-HTTP service announcement precedes the refs (git http-backend does the same).
                await context.Response.Body.WriteAsync(announcement, cancellationToken);
                served = announcement.Length + await RunAsync(path, ["upload-pack", "--stateless-rpc", "--advertise-refs", "."], null, context, environment, logger);
            }
            else
            {
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    limit.MaxRequestBodySize = settings.MaxRequestBodyBytes;
                }

                context.Response.ContentType = "application/x-git-upload-pack-result";
                NoCache(context.Response);
                // What git reads is bounded after decompression too: a small gzip body can inflate a thousandfold.
                var gzip = context.Request.Headers.ContentEncoding.ToString() is "gzip" or "x-gzip";
                await using var inflated = gzip ? new GZipStream(context.Request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
                var body = new BoundedReadStream(inflated ?? context.Request.Body, settings.MaxRequestBodyBytes);
                served = await RunAsync(path, ["upload-pack", "--stateless-rpc", "."], body, context, environment, logger);
                if (served < 0)
                {
                    counters.Add(PortalCounters.RequestBodiesTooLarge);
                    if (!context.Response.HasStarted)
                    {
                        await TextAsync(context, StatusCodes.Status413PayloadTooLarge,
                            $"The request is larger than {settings.MaxRequestBodyBytes} bytes (after decompression).");
                    }
                    return;
                }
            }
        }

        counters.Add(PortalCounters.UploadPackBytesServed, served);
        traffic.Add(resolved!.UserId, name, Traffic.TrafficKind.Http, served);
        if (resolved.UserId == identity.UserId && served > 0)
        {
            await mirrors.AddBytesServedAsync(name, served, CancellationToken.None);
        }
    }

    /// <summary>
    /// The owner and the store folder of <c>{owner}/{name}</c> when the portal lists that repository and it has arrived
    /// in the store; else a null path (the caller answers 404).
    /// </summary>
    internal static async Task<(OwnerInfo? Owner, string? Path)> FindAsync(string owner, string name, UserDirectory directory,
        RepositoryStore store, CancellationToken cancellationToken)
    {
        var resolved = await directory.ResolveOwnerAsync(owner, cancellationToken);
        var known = resolved is not null && (await directory.RepositoriesAsync(resolved.UserId, cancellationToken)).Any(r => r.Name == name);
        var path = known ? store.PathOf(resolved!.UserId, name) : null;
        return (resolved, path is not null && RepositoryScanner.IsGitDirectory(path) ? path : null);
    }

    /// <summary>Runs git with the request's body (if any) as input and its output as the response; the bytes served, or
    /// -1 when the body was over the limit (nothing was sent then: git is ended before it answers).</summary>
    private static async Task<long> RunAsync(string path, string[] arguments, Stream? input, HttpContext context,
        Dictionary<string, string> environment, ILogger logger)
    {
        var cancellationToken = context.RequestAborted;
        using var process = Process.Start(GitRunner.CreateStartInfo(path, arguments, environment))
            ?? throw new InvalidOperationException("Could not start git.");
        using var kill = cancellationToken.Register(() => Kill(process));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var tooLarge = false;
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
                // The client went away, sent a broken gzip body, or git stopped reading; git's exit decides. A body over
                // the limit (as sent or inflated) ends git before it answers anything: the caller answers 413.
                if (input is BoundedReadStream { Exceeded: true } || e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
                {
                    tooLarge = true;
                    Kill(process);
                }
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
        if (tooLarge)
        {
            return -1;
        }

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

    internal static async Task TextAsync(HttpContext context, int status, string message)
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
