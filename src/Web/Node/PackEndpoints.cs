using GitTorrent.Engine;
using GitTorrent.Indexer.Node;
using GitTorrent.Web.Endpoints;

namespace GitTorrent.Web.Node;

/// <summary>
/// <c>/packs/{infohash}.torrent</c> and <c>/packs/{infohash}.pack</c> (INTERFACES.md): the metainfo and bytes of every
/// pack the portal seeds; the <c>.pack</c> URL is the torrent's BEP 19 web seed (<c>url-list</c>, made from
/// <c>GitTorrent__PublicUrl</c>) and supports HTTP Range. Both are named by their content (the infohash), so any HTTP
/// cache may keep them for good. A <c>.pack</c> download holds a <see cref="ClientSlots.Download"/> slot (429/503 with
/// <c>Retry-After</c> beyond it).
/// </summary>
public static class PackEndpoints
{
    public const string Immutable = "public, max-age=31536000, immutable";

    public static void MapPackEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/packs/{file}", async (HttpContext context, string file, NodeHost host,
            [FromKeyedServices(ClientSlots.Download)] ClientSlots slots, Microsoft.Extensions.Options.IOptions<GitHttpOptions> options) =>
        {
            var dot = file.LastIndexOf('.');
            if (dot != 40 || !Hash20.IsLowerHex40(file.AsSpan(0, dot)) || host.Current is not { } node)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var infoHash = Hash20.Parse(file[..dot]);
            var (path, type) = file[dot..] switch
            {
                ".torrent" => (node.Packs.TorrentPath(infoHash), "application/x-bittorrent"),
                ".pack" => (node.Packs.PackPath(infoHash), "application/octet-stream"),
                _ => (null, null),
            };
            if (path is null || !File.Exists(path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var (slot, refusal) = type == "application/octet-stream" ? await slots.TakeAsync(context) : (null, 0);
            if (refusal != 0)
            {
                context.Response.Headers.RetryAfter =
                    ((int)Math.Ceiling(options.Value.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await GitSmartHttpEndpoints.TextAsync(context, refusal, "Too many downloads at once: retry in a few seconds.");
                return;
            }
            using (slot)
            {
                context.Response.Headers.CacheControl = Immutable;
                await Results.File(path, type, file, enableRangeProcessing: true).ExecuteAsync(context);
            }
        });
    }
}
