using System.Globalization;
using System.Net;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>A leecher process is killed (SIGKILL) mid-download; a new run keeps what is verified on disk.</summary>
public sealed class ResumeAfterKillTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Download_resumes_after_the_process_is_killed_midway()
    {
        using var files = new TestFiles();
        var source = files.Create("kill.bin", 24L * 1024 * 1024, seed: 41);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("kill.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        var options = LibtorrentInteropTests.Options();
        options.MaxUploadBytesPerSecond = 4 * 1024 * 1024; // ~6 s for the whole file: time to kill it halfway
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        var target = files.PathOf("target.bin");

        var leecherDll = Path.Combine(AppContext.BaseDirectory, "GitTorrent.Interop.Tests.WireLeecher.dll");
        Assert.True(File.Exists(leecherDll), leecherDll);
        int piecesAtKill;
        await using (var child = ProcessRunner.Start("dotnet", [leecherDll, torrentFile, target, $"127.0.0.1:{seeder.Port}"]))
        {
            var line = await child.WaitForLineAsync(l => l.StartsWith("PIECES ", StringComparison.Ordinal)
                && int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture) >= metainfo.PieceCount / 4, Timeout);
            piecesAtKill = int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            Assert.False(child.HasExited, "the leecher finished before it could be killed");
        } // disposing kills the process tree (SIGKILL)

        Assert.InRange(piecesAtKill, metainfo.PieceCount / 4, metainfo.PieceCount - 1);
        await using var leecher = new TorrentEngine(LibtorrentInteropTests.Options());
        await leecher.StartAsync(default);
        await leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target));
        var downloaded = leecher.GetStatistics(metainfo.InfoHash)!.Downloaded;
        var kept = (long)piecesAtKill * metainfo.PieceLength;
        Assert.True(downloaded <= metainfo.Length - kept, $"downloaded {downloaded} of {metainfo.Length} after keeping {kept}");
    }
}
