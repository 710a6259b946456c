using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>
/// aria2c against our engine on loopback. aria2 cannot add peers by address, but it accepts inbound peers, so our
/// engine dials aria2's BitTorrent port in both directions (no tracker needed).
/// </summary>
public sealed class Aria2InteropTests
{
    private const string Aria2 = "/usr/bin/aria2c";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private const long Size = (16L * 1024 * 1024) + 777;

    private static List<string> CommonArguments(int port, string dir) =>
    [
        "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
        "--bt-external-ip=127.0.0.1", "--disable-ipv6=true", "--summary-interval=0", "--console-log-level=warn",
        $"--listen-port={port}", "-d", dir, "--file-allocation=none", "--bt-max-peers=10",
        "--no-conf=true", "--auto-save-interval=0", "--bt-save-metadata=false", "--bt-hash-check-seed=true",
    ];

    [Fact]
    public async Task Aria2_downloads_from_our_seeder()
    {
        ProcessRunner.Require(Aria2, "aria2");
        using var files = new TestFiles();
        var source = files.Create("a2-in.bin", Size, seed: 21);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("a2-in.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        await using var seeder = new TorrentEngine(LibtorrentInteropTests.Options());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        var dir = Directory.CreateDirectory(files.PathOf("aria2")).FullName;
        var port = FreePorts.Tcp();
        await using var aria2 = ProcessRunner.Start(Aria2, [.. CommonArguments(port, dir), "--seed-time=0", torrentFile]);
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        await DialUntilConnectedAsync(seeder, metainfo.InfoHash, endPoint, aria2);
        await aria2.WaitForExitAsync(Timeout);
        var exit = aria2.ExitCode;

        Assert.True(exit == 0, aria2.Describe());
        Assert.True(TestFiles.SameContent(source, Path.Combine(dir, metainfo.Name)), "aria2's copy differs");
        Assert.True(seeder.GetStatistics().Uploaded >= metainfo.Length);
    }

    [Fact]
    public async Task We_download_from_an_aria2_seeder()
    {
        ProcessRunner.Require(Aria2, "aria2");
        using var files = new TestFiles();
        var seedDir = Directory.CreateDirectory(files.PathOf("seed")).FullName;
        var source = files.Create(Path.Combine("seed", "a2-out.bin"), Size, seed: 22);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("a2-out.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        var port = FreePorts.Tcp();
        await using var aria2 = ProcessRunner.Start(Aria2,
            [.. CommonArguments(port, seedDir), "-V", "--seed-ratio=0.0", "--seed-time=3", torrentFile]);

        await using var leecher = new TorrentEngine(LibtorrentInteropTests.Options());
        await leecher.StartAsync(default);
        var target = files.PathOf("ours.bin");
        // StaticPeerDiscovery re-dials every couple of seconds until aria2 has checked its file and listens.
        await leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([new IPEndPoint(IPAddress.Loopback, port)]),
            null, default).WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target), "our copy differs");
        Assert.Equal(metainfo.Length, leecher.GetStatistics(metainfo.InfoHash)!.Downloaded);
    }

    /// <summary>aria2 needs a moment before it listens; retry the dial until a connection holds.</summary>
    internal static async Task DialUntilConnectedAsync(TorrentEngine engine, Hash20 infoHash, IPEndPoint endPoint, ProcessRunner tool)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await engine.ConnectToPeerAsync(infoHash, endPoint, default).WaitAsync(Timeout);
                await Task.Delay(500);
                if (engine.GetStatistics(infoHash)!.Peers.Count > 0 || tool.HasExited)
                {
                    return;
                }
            }
            catch (GitTorrentException)
            {
                if (tool.HasExited)
                {
                    return;
                }
                await Task.Delay(300);
            }
        }
        throw new TimeoutException($"Could not connect to {endPoint}:\n{tool.Describe()}");
    }
}
