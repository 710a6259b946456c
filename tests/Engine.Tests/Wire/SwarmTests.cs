using System.Net;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class SwarmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    internal static TorrentEngineOptions LoopbackOptions() => new() { ListenAddress = IPAddress.Loopback, ListenPort = 0 };

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

    [Fact]
    public async Task One_seeder_and_five_leechers_finish_200_MiB()
    {
        using var files = new TestFiles();
        var source = files.Create("big.bin", 200L * 1024 * 1024, seed: 42);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var discovery = new StaticPeerDiscovery();
        await using var seeder = new TorrentEngine(LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        discovery.Add(seeder.LocalEndPoint!);

        var leechers = new List<TorrentEngine>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var engine = new TorrentEngine(LoopbackOptions());
                leechers.Add(engine);
                await engine.StartAsync(default);
            }
            var downloads = leechers.Select((engine, i) =>
                engine.DownloadAsync(metainfo, files.PathOf($"leecher{i}.bin"), discovery, null, default)).ToArray();
            await Task.WhenAll(downloads).WaitAsync(TimeSpan.FromMinutes(3));
            for (var i = 0; i < 5; i++)
            {
                Assert.True(TestFiles.SameContent(source, files.PathOf($"leecher{i}.bin")), $"leecher {i} differs");
            }
            var seederUpload = seeder.GetStatistics().Uploaded;
            Assert.True(seederUpload >= metainfo.Length, $"seeder uploaded only {seederUpload}");
        }
        finally
        {
            foreach (var engine in leechers)
            {
                await engine.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Download_resumes_rechecking_only_what_is_on_disk()
    {
        using var files = new TestFiles();
        var source = files.Create("resume.bin", 8L * 1024 * 1024, seed: 5);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        var target = files.PathOf("partial.bin");

        // A previous run left the first 40 % of the file (plus a torn last piece) on disk, then died.
        var keep = (long)(metainfo.PieceCount * 0.4) * metainfo.PieceLength;
        using (var input = File.OpenRead(source))
        using (var output = File.Create(target))
        {
            var buffer = new byte[keep + (metainfo.PieceLength / 2)];
            input.ReadExactly(buffer);
            output.Write(buffer);
        }

        await using var leecher = new TorrentEngine(LoopbackOptions());
        await leecher.StartAsync(default);
        await leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target));
        var downloaded = leecher.GetStatistics(metainfo.InfoHash)!.Downloaded;
        Assert.Equal(metainfo.Length - keep, downloaded);
    }

    [Fact]
    public async Task Super_seeding_seeder_uploads_about_one_copy_and_everybody_finishes()
    {
        using var files = new TestFiles();
        var source = files.Create("super.bin", 16L * 1024 * 1024, seed: 77);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 64 * 1024).WaitAsync(Timeout);
        var discovery = new StaticPeerDiscovery();
        var options = LoopbackOptions();
        options.SuperSeeding = true;
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        discovery.Add(seeder.LocalEndPoint!);
        var leechers = new List<TorrentEngine>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var engine = new TorrentEngine(LoopbackOptions());
                leechers.Add(engine);
                await engine.StartAsync(default);
                discovery.Add(engine.LocalEndPoint!);
            }
            var downloads = leechers.Select((engine, i) =>
                engine.DownloadAsync(metainfo, files.PathOf($"s{i}.bin"), discovery, null, default)).ToArray();
            try
            {
                await Task.WhenAll(downloads).WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                var report = string.Join("\n", leechers.Select(l => l.GetProgress(metainfo.InfoHash)));
                Assert.Fail("stalled:\n" + report + "\nseeder: " + seeder.GetStatistics(metainfo.InfoHash));
            }
            for (var i = 0; i < 4; i++)
            {
                Assert.True(TestFiles.SameContent(source, files.PathOf($"s{i}.bin")), $"leecher {i} differs");
            }
            var ratio = (double)seeder.GetStatistics().Uploaded / metainfo.Length;
            Assert.InRange(ratio, 1.0, 2.0);
        }
        finally
        {
            foreach (var engine in leechers)
            {
                await engine.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task One_listener_serves_several_torrents_chosen_by_the_handshake_infohash()
    {
        using var files = new TestFiles();
        var a = files.Create("a.pack", 700_000, seed: 1);
        var b = files.Create("b.pack", 900_000, seed: 2);
        var ma = await TorrentMetainfo.CreateAsync(a).WaitAsync(Timeout);
        var mb = await TorrentMetainfo.CreateAsync(b).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(ma, a, default).WaitAsync(Timeout);
        await seeder.AddSeedAsync(mb, b, default).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(LoopbackOptions());
        await leecher.StartAsync(default);
        var peers = new StaticPeerDiscovery([seeder.LocalEndPoint!]);
        await Task.WhenAll(
            leecher.DownloadAsync(ma, files.PathOf("a.out"), peers, null, default),
            leecher.DownloadAsync(mb, files.PathOf("b.out"), peers, null, default)).WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(a, files.PathOf("a.out")));
        Assert.True(TestFiles.SameContent(b, files.PathOf("b.out")));
        var stats = seeder.GetStatistics();
        Assert.Equal(2, stats.Torrents.Count);
        Assert.Equal(ma.Length, seeder.GetStatistics(ma.InfoHash)!.Uploaded);
        Assert.Equal(mb.Length, seeder.GetStatistics(mb.InfoHash)!.Uploaded);
        Assert.Equal(ma.Length + mb.Length, stats.Uploaded);
    }

    [Fact]
    public async Task Connections_over_the_per_torrent_limit_are_refused()
    {
        using var files = new TestFiles();
        var source = files.Create("limit.bin", 100_000, seed: 4);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var options = LoopbackOptions();
        options.MaxConnectionsPerTorrent = 1;
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        await using var first = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await first.SendHandshakeAsync(metainfo.InfoHash);
        Assert.NotNull(await first.ReadExactlyAsync(68));
        await using var second = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await second.SendHandshakeAsync(metainfo.InfoHash, peerId: Hash20.Random());
        Assert.Null(await second.ReadExactlyAsync(68));
        Assert.Single(seeder.GetStatistics(metainfo.InfoHash)!.Peers);
    }
}
