using GitTorrent.Engine.Client;
using GitTorrent.Engine.Tests.Wire;
using GitTorrent.Engine.Torrents;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Client;

/// <summary>
/// A download whose only peer refused the first handshake (it had not added the torrent yet, as a seeder that just
/// answered a clone's ask may not have) dials it again after 100 ms, then 200, 400 and 800 ms more, not at the next
/// discovery round 2 s later; a peer that keeps refusing is dialled no more than that. Real engines on 127.0.0.1; the
/// leecher's clock is fake, so the test moves it past each redial and stops short of the next discovery round.
/// </summary>
public sealed class RedialTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_lonely_download_redials_a_peer_that_refused_it_before_the_next_discovery_round()
    {
        using var files = new TestFiles();
        var source = files.Create("late.bin", 2L * 1024 * 1024, seed: 21);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var seeder = await StartAsync(null);
        await using var leecher = await StartAsync(time);
        var target = files.PathOf("late.out");
        var download = leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default);
        await RefusalsAsync(seeder, leecher, 1);

        // The seeder adds the torrent now; the leecher's first redial finds it.
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        time.Advance(TorrentSession.LonelyRedialDelays[0] - TimeSpan.FromMilliseconds(1));
        await Task.Delay(200);
        Assert.False(download.IsCompleted, "dialled again before the first redial delay");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await download.WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(source, target));
        Assert.Equal(1, seeder.GetConnectionStatistics().UnknownInfoHashes);
    }

    [Fact]
    public async Task A_peer_that_keeps_refusing_is_dialled_five_times_per_discovery_round()
    {
        using var files = new TestFiles();
        var source = files.Create("never.bin", 256 * 1024, seed: 22);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var seeder = await StartAsync(null);
        await using var leecher = await StartAsync(time);
        using var stop = new CancellationTokenSource();
        var download = leecher.DownloadAsync(metainfo, files.PathOf("never.out"), new StaticPeerDiscovery([seeder.LocalEndPoint!]),
            null, stop.Token);
        await RefusalsAsync(seeder, leecher, 1);
        var elapsed = TimeSpan.Zero;
        var dials = 1;
        foreach (var delay in TorrentSession.LonelyRedialDelays)
        {
            time.Advance(delay);
            elapsed += delay;
            await RefusalsAsync(seeder, leecher, ++dials);
        }
        Assert.Equal(5, dials);

        // No further dial until the discovery round at 2 s names the peer again.
        time.Advance(TimeSpan.FromSeconds(2) - elapsed - TimeSpan.FromMilliseconds(10));
        await Task.Delay(500);
        Assert.Equal(dials, seeder.GetConnectionStatistics().UnknownInfoHashes);
        time.Advance(TimeSpan.FromMilliseconds(10));
        await RefusalsAsync(seeder, leecher, dials + 1);
        Assert.False(download.IsCompleted);
        await stop.CancelAsync();
    }

    /// <summary>An engine on 127.0.0.1 with nothing to serve, on real time or on <paramref name="time"/>.</summary>
    private static async Task<TorrentEngine> StartAsync(TimeProvider? time)
    {
        var engine = new TorrentEngine(SwarmTests.LoopbackOptions(), null, time);
        await engine.StartAsync(default);
        return engine;
    }

    /// <summary>
    /// Waits until the seeder refused <paramref name="count"/> handshakes and the leecher let go of the dial, plus a
    /// moment for it to set its redial timer (the fake clock must not move before that timer exists).
    /// </summary>
    private static async Task RefusalsAsync(TorrentEngine seeder, TorrentEngine leecher, long count)
    {
        await Condition.WaitUntilAsync(() => seeder.GetConnectionStatistics().UnknownInfoHashes >= count
            && leecher.GetConnectionStatistics().Outbound == 0, $"{count} handshake(s) refused for an unknown info_hash", Timeout);
        await Task.Delay(100);
    }
}
