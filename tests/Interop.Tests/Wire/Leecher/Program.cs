using System.Globalization;
using System.Net;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

// usage: WireLeecher <torrent file> <target path> <peer ip:port>
// Prints "PIECES <have> <count>" whenever progress changes and "DONE" at the end.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: WireLeecher <torrent> <target> <peer>");
    return 2;
}
var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(args[0]));
await using var engine = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback, ListenPort = 0 });
await engine.StartAsync(default);
var progress = new Progress<DownloadProgress>(p =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PIECES {p.PiecesHave} {p.PieceCount}")));
await engine.DownloadAsync(metainfo, args[1], new StaticPeerDiscovery([IPEndPoint.Parse(args[2])]), progress, default);
Console.WriteLine("DONE");
return 0;
