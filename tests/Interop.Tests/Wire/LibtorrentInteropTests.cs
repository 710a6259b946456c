using System.Net;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>python3-libtorrent 2.0 against our engine on loopback, both ways, by .torrent and by magnet.</summary>
public sealed class LibtorrentInteropTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Wire", "scripts", "lt_peer.py");
    private const long Size = (24L * 1024 * 1024) + 4321;

    internal static TorrentEngineOptions Options() => new() { ListenAddress = IPAddress.Loopback, ListenPort = 0 };

    private static void RequireLibtorrent()
    {
        ProcessRunner.Require(Python, "python3");
        using var probe = System.Diagnostics.Process.Start(Python, ["-c", "import libtorrent"]);
        if (!probe.WaitForExit(30_000) || probe.ExitCode != 0)
        {
            Assert.Fail("/usr/bin/python3 cannot import libtorrent (Debian package python3-libtorrent). Run ./test.sh.");
        }
    }

    private static async Task<int> ListenPortAsync(ProcessRunner lt) =>
        int.Parse((await lt.WaitForLineAsync(l => l.StartsWith("LISTEN ", StringComparison.Ordinal), Timeout))[7..],
            System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Libtorrent_downloads_from_our_seeder(bool magnet)
    {
        RequireLibtorrent();
        using var files = new TestFiles();
        var source = files.Create("lt-in.bin", Size, seed: 11);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("lt-in.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        await using var seeder = new TorrentEngine(Options());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        var saveDir = Directory.CreateDirectory(files.PathOf("lt")).FullName;
        string[] what = magnet ? ["--magnet", metainfo.ToMagnetLink().ToString()] : ["--torrent", torrentFile];
        await using var lt = ProcessRunner.Start(Python,
            [Script, "leech", "--save", saveDir, .. what, "--peer", $"127.0.0.1:{seeder.Port}", "--timeout", "100"]);
        await lt.WaitForExitAsync(Timeout);
        var exit = lt.ExitCode;

        Assert.True(exit == 0, lt.Describe());
        Assert.True(TestFiles.SameContent(source, Path.Combine(saveDir, metainfo.Name)), "libtorrent's copy differs");
        Assert.True(seeder.GetStatistics().Uploaded >= metainfo.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task We_download_from_a_libtorrent_seeder(bool magnet)
    {
        RequireLibtorrent();
        using var files = new TestFiles();
        var seedDir = Directory.CreateDirectory(files.PathOf("seed")).FullName;
        var source = files.Create(Path.Combine("seed", "lt-out.bin"), Size, seed: 12);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("lt-out.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        await using var lt = ProcessRunner.Start(Python, [Script, "seed", "--save", seedDir, "--torrent", torrentFile, "--timeout", "110"]);
        var port = await ListenPortAsync(lt);

        await using var leecher = new TorrentEngine(Options());
        await leecher.StartAsync(default);
        var target = files.PathOf("ours.bin");
        var discovery = new StaticPeerDiscovery([new IPEndPoint(IPAddress.Loopback, port)]);
        var got = magnet
            ? await leecher.DownloadAsync(metainfo.InfoHash, target, discovery, null, default).WaitAsync(Timeout)
            : await leecher.DownloadAsync(metainfo, target, discovery, null, default).WaitAsync(Timeout);

        Assert.Equal(metainfo.InfoHash, got.InfoHash);
        Assert.True(TestFiles.SameContent(source, target), "our copy differs");
    }

    [Fact]
    public async Task Libtorrent_leechers_that_know_only_our_adaptive_seeder_find_each_other_by_ut_pex()
    {
        RequireLibtorrent();
        using var files = new TestFiles();
        var source = files.Create("lt-pex.bin", Size, seed: 13);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        var torrentFile = files.PathOf("lt-pex.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        var options = Options();
        options.AdaptiveSeeding = true;
        // Slow enough that the three downloads overlap whatever the Python start-up times: a libtorrent leecher that
        // finished alone drops its connection to us (seed to seed), so we could not point the others at it.
        options.MaxUploadBytesPerSecond = 4L * 1024 * 1024;
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        var leechers = new List<ProcessRunner>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var saveDir = Directory.CreateDirectory(files.PathOf($"lt{i}")).FullName;
                leechers.Add(ProcessRunner.Start(Python, [Script, "leech", "--save", saveDir, "--torrent", torrentFile,
                    "--peer", $"127.0.0.1:{seeder.Port}", "--timeout", "100", "--stay", "5"]));
            }
            foreach (var lt in leechers)
            {
                await lt.WaitForExitAsync(Timeout);
                var exit = lt.ExitCode;
                Assert.True(exit == 0, lt.Describe());
            }
            for (var i = 0; i < 3; i++)
            {
                Assert.True(TestFiles.SameContent(source, Path.Combine(files.PathOf($"lt{i}"), metainfo.Name)), $"leecher {i} differs");
            }
            // Each libtorrent leecher was told only our address; it met the others through our ut_pex message.
            foreach (var lt in leechers)
            {
                Assert.Contains(lt.AllOutput, l => l.StartsWith("STATUS", StringComparison.Ordinal)
                    && int.Parse(l.Split(' ').First(p => p.StartsWith("peers=", StringComparison.Ordinal))[6..],
                        System.Globalization.CultureInfo.InvariantCulture) >= 2);
            }
            var ratio = (double)seeder.GetStatistics().Uploaded / metainfo.Length;
            Console.WriteLine($"3 libtorrent leechers: seeder uploaded {ratio:0.00} copies");
            Assert.True(ratio <= 2.0, $"seeder uploaded {ratio:0.00} copies");
        }
        finally
        {
            foreach (var lt in leechers)
            {
                await lt.DisposeAsync();
            }
        }
    }
}
