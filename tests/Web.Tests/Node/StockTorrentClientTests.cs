using System.Net;
using System.Text;
using System.Text.Json;
using GitTorrent.Engine.Torrents;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// Stock BitTorrent clients (aria2 1.36 and libtorrent 2.0 through python3-libtorrent) download a pack torrent taken
/// from the portal's <c>/packs/{infohash}.torrent</c>: (a) from its web seed alone (<c>url-list</c> =
/// <c>GitTorrent__PublicUrl/packs/{infohash}.pack</c>, by default the portal's first listening URL) while its BitTorrent
/// port is out of their reach (no peer address, no tracker, no DHT), and (b) from the portal's BitTorrent port alone
/// when the web seed URL is dead. The bytes equal the pack. Everything on loopback; DHT, LSD, UPnP and PEX are off.
/// </summary>
public sealed class StockTorrentClientTests
{
    private const string Aria2 = "/usr/bin/aria2c";
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Aria2_and_libtorrent_download_a_pack_torrent_from_the_web_seed_alone()
    {
        await using var storage = PortalStorage.Sqlite();
        using var stock = await StockRepository.CreateAsync(storage, Timeout).WaitAsync(Timeout);
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__BtPort"] = FreePorts.Tcp().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).WaitAsync(Timeout);
        using var files = new TempDirectory("stock-webseed");
        var pack = await SeededPackAsync(portal, stock, files.Path);
        Assert.Equal([new Uri(portal.Http.BaseAddress!, $"/packs/{pack.InfoHash}.pack").ToString()], pack.Metainfo.UrlList);

        var aria2 = await RunAria2Async(files.Path, pack, tracker: null);
        Assert.True(aria2.Ok, aria2.Output);
        var libtorrent = await RunLibtorrentAsync(files.Path, pack, peer: null);
        Assert.True(libtorrent.Ok, libtorrent.Output);

        // Nothing went through the BitTorrent port: the portal's node uploaded no piece of the pack.
        Assert.Equal(0, await UploadedAsync(portal, pack.InfoHash));
    }

    [Fact]
    public async Task Aria2_and_libtorrent_download_a_pack_torrent_from_peers_alone_when_the_web_seed_is_dead()
    {
        await using var storage = PortalStorage.Sqlite();
        using var stock = await StockRepository.CreateAsync(storage, Timeout).WaitAsync(Timeout);
        var btPort = FreePorts.Tcp();
        var dead = $"http://127.0.0.1:{FreePorts.Tcp()}";
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__BtPort"] = btPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GitTorrent__PublicUrl"] = dead + "/",
        }).WaitAsync(Timeout);
        using var files = new TempDirectory("stock-peers");
        var pack = await SeededPackAsync(portal, stock, files.Path);
        Assert.Equal([$"{dead}/packs/{pack.InfoHash}.pack"], pack.Metainfo.UrlList);

        // libtorrent is given the portal's BitTorrent address; aria2 cannot take one, so a loopback tracker names it.
        var libtorrent = await RunLibtorrentAsync(files.Path, pack, peer: $"127.0.0.1:{btPort}");
        Assert.True(libtorrent.Ok, libtorrent.Output + "\n--- portal ---\n" + portal.Runner.Describe());
        await using var tracker = await LoopbackTracker.StartAsync(Path.Combine(files.Path, "tracker"), pack.InfoHash, btPort);
        var aria2 = await RunAria2Async(files.Path, pack, tracker.AnnounceUrl);
        Assert.True(aria2.Ok, aria2.Output + "\n--- portal ---\n" + portal.Runner.Describe());

        Assert.True(await UploadedAsync(portal, pack.InfoHash) >= 2 * pack.Bytes.Length, "the portal's node did not upload the pack twice");
    }

    /// <summary>A pack the portal seeds (its bundle request builds it), its torrent from <c>/packs/</c> saved to a file, and its bytes.</summary>
    private static async Task<PackTorrent> SeededPackAsync(PortalProcess portal, StockRepository stock, string folder)
    {
        using (var bundle = await portal.Http.GetAsync(new Uri($"/{stock.UserId}/{StockRepository.Name}.bundle", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        }
        using var swarm = JsonDocument.Parse(await portal.Http.GetStringAsync(new Uri("/api/swarm", UriKind.Relative)).WaitAsync(Timeout));
        var infoHash = Assert.Single(swarm.RootElement.GetProperty("packs").EnumerateArray()).GetProperty("infoHash").GetString()!;
        var torrent = await portal.Http.GetByteArrayAsync(new Uri($"/packs/{infoHash}.torrent", UriKind.Relative)).WaitAsync(Timeout);
        var torrentFile = Path.Combine(folder, infoHash + ".torrent");
        await File.WriteAllBytesAsync(torrentFile, torrent);
        var bytes = await portal.Http.GetByteArrayAsync(new Uri($"/packs/{infoHash}.pack", UriKind.Relative)).WaitAsync(Timeout);
        var metainfo = TorrentMetainfo.Parse(torrent);
        Assert.Equal(infoHash, metainfo.InfoHash.ToString());
        Assert.Equal(bytes.Length, metainfo.Length);
        return new PackTorrent(infoHash, metainfo, torrentFile, bytes);
    }

    private static async Task<(bool Ok, string Output)> RunAria2Async(string folder, PackTorrent pack, string? tracker)
    {
        Assert.True(File.Exists(Aria2), $"{Aria2} is missing (Debian package aria2)");
        var target = Directory.CreateDirectory(Path.Combine(folder, "aria2-" + Guid.NewGuid().ToString("N"))).FullName;
        List<string> arguments =
        [
            "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--bt-external-ip=127.0.0.1", "--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn", "--no-conf=true",
            $"--listen-port={FreePorts.Tcp()}", "-d", target, "--file-allocation=none", "--seed-time=0",
            "--bt-save-metadata=false", "--auto-save-interval=0", "--bt-stop-timeout=60",
        ];
        if (tracker is not null)
        {
            arguments.Add($"--bt-tracker={tracker}");
        }
        arguments.Add(pack.TorrentFile);
        var run = await ProcessRunner.RunAsync(Aria2, arguments, Timeout).WaitAsync(Timeout);
        var output = "aria2c: " + run.Describe();
        var file = Path.Combine(target, pack.Metainfo.Name);
        return (run.ExitCode == 0 && File.Exists(file) && (await File.ReadAllBytesAsync(file)).AsSpan().SequenceEqual(pack.Bytes), output);
    }

    private static async Task<(bool Ok, string Output)> RunLibtorrentAsync(string folder, PackTorrent pack, string? peer)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing");
        var target = Directory.CreateDirectory(Path.Combine(folder, "lt-" + Guid.NewGuid().ToString("N"))).FullName;
        var script = Path.Combine(RepositoryLayout.Root, "tests", "Interop.Tests", "Wire", "scripts", "lt_peer.py");
        List<string> arguments = [script, "leech", "--save", target, "--torrent", pack.TorrentFile, "--timeout", "120"];
        if (peer is not null)
        {
            arguments.AddRange(["--peer", peer]);
        }
        var run = await ProcessRunner.RunAsync(Python, arguments, Timeout).WaitAsync(Timeout);
        var output = "libtorrent: " + run.Describe();
        var file = Path.Combine(target, pack.Metainfo.Name);
        return (run.ExitCode == 0 && File.Exists(file) && (await File.ReadAllBytesAsync(file)).AsSpan().SequenceEqual(pack.Bytes), output);
    }

    private static async Task<long> UploadedAsync(PortalProcess portal, string infoHash)
    {
        using var swarm = JsonDocument.Parse(await portal.Http.GetStringAsync(new Uri("/api/swarm", UriKind.Relative)).WaitAsync(Timeout));
        return swarm.RootElement.GetProperty("packs").EnumerateArray()
            .Single(p => p.GetProperty("infoHash").GetString() == infoHash).GetProperty("uploaded").GetInt64();
    }

    private sealed record PackTorrent(string InfoHash, TorrentMetainfo Metainfo, string TorrentFile, byte[] Bytes);
}
