using System.Net;
using GitTorrent.Engine.Swarm;
using GitTorrent.Engine.Torrents;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class SwarmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    internal static SwarmOptions LoopbackOptions() => new() { ListenAddress = IPAddress.Loopback, ListenPort = 0 };

    [Fact]
    public async Task Leecher_downloads_from_seeder_byte_identical()
    {
        using var files = new TestFiles();
        var source = files.Create("data.bin", (3 * 1024 * 1024) + 12345);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(LoopbackOptions());
        await leecher.StartAsync(default);
        var target = files.PathOf("out.bin");
        await leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target));
        var stats = seeder.GetStatistics();
        Assert.True(stats.Uploaded >= metainfo.Length, $"seeder uploaded {stats.Uploaded}");
        Assert.Equal(metainfo.Length, leecher.GetStatistics(metainfo.InfoHash)!.Downloaded);
    }

    [Fact]
    public async Task Magnet_download_fetches_metadata_over_ut_metadata()
    {
        using var files = new TestFiles();
        var source = files.Create("data.bin", 1_000_000, seed: 7);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(LoopbackOptions());
        await leecher.StartAsync(default);
        var target = files.PathOf("magnet.bin");
        var got = await leecher.DownloadAsync(metainfo.InfoHash, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]),
            null, default).WaitAsync(Timeout);

        Assert.Equal(metainfo.InfoHash, got.InfoHash);
        Assert.True(got.InfoBytes.Span.SequenceEqual(metainfo.InfoBytes.Span));
        Assert.True(TestFiles.SameContent(source, target));
    }
}
