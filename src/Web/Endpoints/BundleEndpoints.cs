using System.Globalization;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Indexer.Node;
using GitTorrent.Web.Git;
using GitTorrent.Web.Services;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// <c>/{nameOrId}/{repo}.bundle</c>: a git bundle (v2) of the repository's branches and tags, for
/// <c>git clone --bundle-uri=&lt;this URL&gt; &lt;smart-HTTP URL&gt;</c>. The bundle is <see cref="GitBundle.Header"/>
/// followed by the full pack of those tips from the node's pack cache (the same file the swarm seeds), streamed as it
/// is: no repacking when the pack is cached, one <c>git pack-objects</c> per tip set when not, within the pack cache's
/// size and build bounds (per address and in total: 429/503 with <c>Retry-After</c>). <c>Range</c>, a strong
/// <c>ETag</c> (the refs and the pack) and <c>Cache-Control: public</c> let any HTTP cache keep it; the download
/// itself holds a <see cref="ClientSlots.Download"/> slot.
/// </summary>
public static partial class BundleEndpoints
{
    public const string ContentType = "application/x-git-bundle";

    public static IEndpointRouteBuilder MapBundles(this IEndpointRouteBuilder endpoints)
    {
        // A constrained catch-all outranks the smart-HTTP one ("/{owner}/{**rest}") for bundle URLs only.
        endpoints.MapGet("/{owner}/{**rest:regex(^.+\\.bundle$)}", HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, string owner, string rest, UserDirectory directory, RepositoryStore store,
        NodeHost host, [FromKeyedServices(ClientSlots.Download)] ClientSlots slots, PortalCounters counters,
        IOptions<GitHttpOptions> options, ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var name = rest[..^".bundle".Length];
        var (_, path) = await GitSmartHttpEndpoints.FindAsync(owner, name, directory, store, cancellationToken);
        if (path is null)
        {
            await GitSmartHttpEndpoints.TextAsync(context, StatusCodes.Status404NotFound, $"Repository not found: {owner}/{name}");
            return;
        }
        var tips = await GitRefs.ReadTipsAsync(path, cancellationToken);
        if (tips.Count == 0 || host.Current is not { } node)
        {
            await GitSmartHttpEndpoints.TextAsync(context, StatusCodes.Status404NotFound, $"No branches or tags to bundle in {owner}/{name}.");
            return;
        }

        var settings = options.Value;
        var retryAfter = ((int)Math.Ceiling(settings.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var (slot, refusal) = await slots.TakeAsync(context);
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
            await GitSmartHttpEndpoints.TextAsync(context, refusal, "Too many downloads at once: retry in a few seconds.");
            return;
        }

        using (slot)
        {
            var commits = tips.Select(t => t.Commit).Distinct().Order().ToList();
            CachedPack pack;
            try
            {
                pack = await node.GetPackAsync(path, commits[0], commits[1..], [], context.Connection.RemoteIpAddress, cancellationToken);
            }
            catch (PackBuildRefusedException e)
            {
                counters.Add(PortalCounters.BundleBuildsRefused);
                LogRefused(loggers.CreateLogger(typeof(BundleEndpoints)), owner, name, e.Limit);
                context.Response.Headers.RetryAfter = retryAfter;
                await GitSmartHttpEndpoints.TextAsync(context,
                    e.Limit == "MaxPackBuildsPerAddress" ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable,
                    "The bundle is being made for too many clients at once: retry in a few seconds.");
                return;
            }
            catch (GitTorrentException e)
            {
                // The pack does not fit in the pack cache, or the repository changed under the build.
                LogRefused(loggers.CreateLogger(typeof(BundleEndpoints)), owner, name, e.Message);
                context.Response.Headers.RetryAfter = retryAfter;
                await GitSmartHttpEndpoints.TextAsync(context, StatusCodes.Status503ServiceUnavailable, "The bundle cannot be made right now.");
                return;
            }
            if (!pack.FromCache)
            {
                counters.Add(PortalCounters.BundlePacksBuilt);
            }

            var header = GitBundle.Header(tips);
            FileStream file;
            try
            {
                file = new FileStream(pack.PackPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
            }
            catch (FileNotFoundException)
            {
                // Evicted in the instant after it was found; the client asks again.
                context.Response.Headers.RetryAfter = retryAfter;
                await GitSmartHttpEndpoints.TextAsync(context, StatusCodes.Status503ServiceUnavailable, "The bundle was just replaced: retry.");
                return;
            }

            // The refs and the pack (content-addressed by its infohash) decide every byte.
            var tag = Hash20.Sha1([.. header, .. pack.InfoHash.ToArray()]);
            context.Response.Headers.CacheControl = $"public, max-age={(long)settings.BundleMaxAge.TotalSeconds}";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await using var bundle = new PrefixedFileStream(header, file);
            var result = Results.Stream(bundle, ContentType, $"{Path.GetFileName(name)}.bundle", File.GetLastWriteTimeUtc(pack.PackPath),
                new EntityTagHeaderValue($"\"{tag}\""), enableRangeProcessing: true);
            if (HeadRequests.IsHead(context))
            {
                // The headers a GET would have (length, ETag, ranges), without reading the pack for a body nobody gets.
                context.Response.Headers.AcceptRanges = "bytes";
                context.Response.Headers.ETag = $"\"{tag}\"";
                context.Response.ContentType = ContentType;
                context.Response.ContentLength = bundle.Length;
                return;
            }
            var counted = new CountingWriteStream(context.Response.Body);
            context.Response.Body = counted;
            await result.ExecuteAsync(context);
            counters.Add(PortalCounters.BundleBytesServed, counted.Count);
            LogServed(loggers.CreateLogger(typeof(BundleEndpoints)), owner, name, counted.Count, pack.FromCache);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle of {Owner}/{Repository}: {Bytes} bytes sent (pack cached before: {FromCache})")]
    private static partial void LogServed(ILogger logger, string owner, string repository, long bytes, bool fromCache);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle of {Owner}/{Repository} refused: {Limit} reached")]
    private static partial void LogRefused(ILogger logger, string owner, string repository, string limit);
}
