using System.Net;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>
/// transmission-daemon 3.00 never dials loopback peers, so our engine dials its peer port: we download from it and
/// upload to it over connections we open.
/// </summary>
public sealed class TransmissionInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);
    private const long Size = (8L * 1024 * 1024) + 99;

    [Fact]
    public async Task We_download_from_transmission()
    {
        using var files = new TestFiles();
        var seedDir = Directory.CreateDirectory(files.PathOf("seed")).FullName;
        var source = files.Create(Path.Combine("seed", "tr-out.bin"), Size, seed: 31);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("tr-out.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        await using var transmission = await TransmissionDaemon.StartAsync(files.PathOf("conf"), seedDir);
        var (added, output) = await transmission.RemoteAsync("-a", torrentFile, "-w", seedDir);
        Assert.True(added == 0, output);

        await using var leecher = new TorrentEngine(LibtorrentInteropTests.Options());
        await leecher.StartAsync(default);
        var target = files.PathOf("ours.bin");
        var discovery = new StaticPeerDiscovery([new IPEndPoint(IPAddress.Loopback, transmission.PeerPort)]);
        await leecher.DownloadAsync(metainfo, target, discovery, null, default).WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target), "our copy differs");
    }

    [Fact]
    public async Task Transmission_downloads_from_our_seeder()
    {
        using var files = new TestFiles();
        var source = files.Create("tr-in.bin", Size, seed: 32);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var torrentFile = files.PathOf("tr-in.torrent");
        await File.WriteAllBytesAsync(torrentFile, metainfo.ToBytes());
        await using var seeder = new TorrentEngine(LibtorrentInteropTests.Options());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        var downloadDir = Directory.CreateDirectory(files.PathOf("transmission")).FullName;
        await using var transmission = await TransmissionDaemon.StartAsync(files.PathOf("conf"), downloadDir);
        var (added, output) = await transmission.RemoteAsync("-a", torrentFile, "-w", downloadDir);
        Assert.True(added == 0, output);

        var endPoint = new IPEndPoint(IPAddress.Loopback, transmission.PeerPort);
        var deadline = DateTime.UtcNow + Timeout;
        double percent = 0;
        while (DateTime.UtcNow < deadline && percent < 100)
        {
            if (seeder.GetStatistics(metainfo.InfoHash)!.Peers.Count == 0)
            {
                try
                {
                    await seeder.ConnectToPeerAsync(metainfo.InfoHash, endPoint, default).WaitAsync(Timeout);
                }
                catch (GitTorrent.Engine.GitTorrentException)
                {
                    // transmission may still be checking the new torrent; try again
                }
            }
            await Task.Delay(1000);
            percent = await transmission.PercentDoneAsync();
        }

        Assert.True(percent >= 100, $"transmission reached {percent}%:\n{transmission.Process.Describe()}");
        Assert.True(TestFiles.SameContent(source, Path.Combine(downloadDir, metainfo.Name)), "transmission's copy differs");
        Assert.True(seeder.GetStatistics().Uploaded >= metainfo.Length);
    }
}
