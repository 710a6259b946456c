using GitTorrent.Engine;
using GitTorrent.Indexer.Swarm;

namespace GitTorrent.Web.Swarm;

/// <summary>
/// <c>/packs/{infohash}.torrent</c> and <c>/packs/{infohash}.pack</c> (INTERFACES.md): the metainfo and bytes of every
/// pack the portal seeds; the <c>.pack</c> URL is the torrent's BEP 19 web seed and supports HTTP Range.
/// </summary>
public static class PackEndpoints
{
    public static void MapPackEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/packs/{file}", (string file, SwarmNodeHost host) =>
        {
            var dot = file.LastIndexOf('.');
            if (dot != 40 || !Hash20.IsLowerHex40(file.AsSpan(0, dot)) || host.Current is not { } node)
            {
                return Results.NotFound();
            }
            var infoHash = Hash20.Parse(file[..dot]);
            return file[dot..] switch
            {
                ".torrent" when File.Exists(node.Packs.TorrentPath(infoHash)) =>
                    Results.File(node.Packs.TorrentPath(infoHash), "application/x-bittorrent", file),
                ".pack" when File.Exists(node.Packs.PackPath(infoHash)) =>
                    Results.File(node.Packs.PackPath(infoHash), "application/octet-stream", file, enableRangeProcessing: true),
                _ => Results.NotFound(),
            };
        });
    }
}
