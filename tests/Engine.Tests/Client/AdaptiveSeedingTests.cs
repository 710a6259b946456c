using System.Buffers.Binary;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Client.Machines;
using GitTorrent.Engine.Tests.Wire;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;
using GitTorrent.Engine.Base;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Client;

/// <summary>
/// Adaptive super-seeding (TorrentEngineOptions.AdaptiveSeeding) with real engines on 127.0.0.1: a lone leecher is served
/// like a plain seed, simultaneous leechers that know only the seeder find each other by ut_pex and the seeder sends
/// about one copy, and a leecher leaving mid-way does not stall the others.
/// </summary>
public sealed class AdaptiveSeedingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static TorrentEngineOptions AdaptiveSeeder(long uploadLimit = 0)
    {
        var options = SwarmTests.LoopbackOptions();
        options.AdaptiveSeeding = true;
        options.MaxUploadBytesPerSecond = uploadLimit;
        return options;
    }

    [Fact]
    public async Task A_lone_peer_is_shown_a_wide_window_and_a_second_peer_switches_to_disjoint_small_windows()
    {
        using var files = new TestFiles();
        var source = files.Create("w.bin", 16L * 1024 * 1024, seed: 3);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 64 * 1024).WaitAsync(Timeout);
        await using var seeder = await StartSeederAsync(AdaptiveSeeder(), metainfo, source);

        await using var lone = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await lone.SendHandshakeAsync(metainfo.InfoHash, reserved: 0);
        Assert.NotNull(await lone.ReadExactlyAsync(Handshake.Length));
        var loneHaves = await ReadHavesAsync(lone, (int)(8L * 1024 * 1024 / metainfo.PieceLength)); // 8 MiB ahead: a full pipeline

        await using var second = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await second.SendHandshakeAsync(metainfo.InfoHash, reserved: 0,
            peerId: Hash20.Parse("2d5854303030312d" + "0d0e0f101112131415161718"));
        Assert.NotNull(await second.ReadExactlyAsync(Handshake.Length));
        // Two downloading at once: BEP 16 rules, a few pieces the other was not shown, and no more than that.
        var secondHaves = await ReadHavesAsync(second, 8);
        Assert.Empty(secondHaves.Intersect(loneHaves));
        Assert.Empty(Haves(await second.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(300))));
        Assert.Empty(Haves(await lone.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(300))));
    }

    [Fact]
    public async Task A_peer_that_was_alone_a_while_is_not_served_duplicates_once_others_arrive_unless_it_starves()
    {
        using var files = new TestFiles();
        var source = files.Create("s.bin", 16L * 1024 * 1024, seed: 12);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 64 * 1024).WaitAsync(Timeout);
        // The seeder's clock moves only when the test moves it (its housekeeping tick runs once per fake second).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var seeder = await StartSeederAsync(AdaptiveSeeder(), metainfo, source, time);

        await using var first = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await first.SendHandshakeAsync(metainfo.InfoHash, reserved: 0);
        Assert.NotNull(await first.ReadExactlyAsync(Handshake.Length));
        var window = await ReadHavesAsync(first, 128);
        // Alone for twice StarveTime, busy with its window: not starving, so nothing more is shown.
        time.Advance(SuperSeedingMachine<PeerState>.StarveTime);
        time.Advance(SuperSeedingMachine<PeerState>.StarveTime);
        Assert.Empty(Haves(await first.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(200))));

        await using var second = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await second.SendHandshakeAsync(metainfo.InfoHash, reserved: 0,
            peerId: Hash20.Parse("2d5854303030312d" + "1d1e1f202122232425262728"));
        Assert.NotNull(await second.ReadExactlyAsync(Handshake.Length));
        Assert.Equal(8, (await ReadHavesAsync(second, 8)).Count);

        // The first finishes its window. Two download now, and its pieces have not spread: it gets nothing more at
        // once (it should fetch from the other peer) ...
        foreach (var piece in window)
        {
            var payload = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)piece);
            await first.SendAsync(ScriptedPeer.Message(MessageId.Have, payload));
        }
        Assert.Empty(Haves(await first.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(300))));
        // ... but once it has got nothing from anybody for StarveTime (1 s) it starves, and is served again. The clock
        // moves 250 ms at a time; the pieces may come only once StarveTime has passed.
        var step = TimeSpan.FromMilliseconds(250);
        var waited = TimeSpan.Zero;
        List<int> later = [];
        while (later.Count == 0)
        {
            Assert.True(waited < TimeSpan.FromSeconds(10), "never served again");
            time.Advance(step);
            waited += step;
            later = Haves(await first.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(150)));
        }
        Assert.True(waited >= SuperSeedingMachine<PeerState>.StarveTime, $"served again after {waited} of fake time");
        later.AddRange(Haves(await first.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(300))));
        Assert.Equal(8, later.Count);
        Assert.Empty(later.Intersect(window));
    }

    /// <summary>
    /// A lone leecher gets the whole file and the adaptive seed sends it about one copy. That it runs as fast as from a
    /// plain seed follows from the wide window (the first test); the speed itself is measured in bench/Clone.
    /// </summary>
    [Fact]
    public async Task A_lone_leecher_downloads_one_copy_from_an_adaptive_seed()
    {
        using var files = new TestFiles();
        var source = files.Create("lone.bin", 48L * 1024 * 1024, seed: 4);
        var metainfo = await TorrentMetainfo.CreateAsync(source).WaitAsync(Timeout); // ~32 KiB pieces, like a pack
        await using var seeder = await StartSeederAsync(AdaptiveSeeder(), metainfo, source);
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = files.PathOf("lone.out");
        await leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(source, target));
        Assert.InRange(seeder.GetStatistics().Uploaded, metainfo.Length, metainfo.Length + (metainfo.Length / 20));
    }

    [Fact]
    public async Task Six_leechers_that_know_only_the_seeder_all_complete_with_the_seeder_sending_at_most_two_copies()
    {
        using var files = new TestFiles();
        var source = files.Create("six.bin", 24L * 1024 * 1024, seed: 6);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        await using var seeder = await StartSeederAsync(AdaptiveSeeder(), metainfo, source);
        // One discovery per leecher: a shared StaticPeerDiscovery would hand out every announcer.
        StaticPeerDiscovery OnlySeeder() => new([seeder.LocalEndPoint!]);
        var leechers = new List<TorrentEngine>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var engine = new TorrentEngine(SwarmTests.LoopbackOptions());
                leechers.Add(engine);
                await engine.StartAsync(default);
            }
            var downloads = leechers.Select((engine, i) =>
                // Half by infohash, like clones (ut_pex from the seeder arrives before the info dictionary).
                i % 2 == 0 ? engine.DownloadAsync(metainfo.InfoHash, files.PathOf($"six{i}.bin"), OnlySeeder(), null, default)
                    : engine.DownloadAsync(metainfo, files.PathOf($"six{i}.bin"), OnlySeeder(), null, default)).ToArray();
            await WaitAllAsync(downloads, leechers, seeder, metainfo);
            for (var i = 0; i < leechers.Count; i++)
            {
                Assert.True(TestFiles.SameContent(source, files.PathOf($"six{i}.bin")), $"leecher {i} differs");
            }
            var ratio = (double)seeder.GetStatistics().Uploaded / metainfo.Length;
            Console.WriteLine($"six leechers: seeder ratio {ratio:0.00}");
            Assert.InRange(ratio, 1.0, 2.0);
            // They found each other through the seeder's ut_pex: every leecher got bytes from another leecher.
            foreach (var engine in leechers)
            {
                var fromPeers = engine.GetDownloadedByPeer(metainfo.InfoHash)
                    .Where(p => !p.Key.Equals(seeder.LocalEndPoint)).Sum(p => p.Value);
                Assert.True(fromPeers > 0, $"{engine.LocalEndPoint} got nothing from the other leechers");
            }
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
    public async Task A_leecher_leaving_mid_way_does_not_stall_the_others()
    {
        using var files = new TestFiles();
        var source = files.Create("leave.bin", 16L * 1024 * 1024, seed: 8);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        // A slow seeder, so the leechers are mid-way for a few seconds.
        await using var seeder = await StartSeederAsync(AdaptiveSeeder(uploadLimit: 4L * 1024 * 1024), metainfo, source);
        // One discovery per leecher: a shared StaticPeerDiscovery would hand out every announcer.
        StaticPeerDiscovery OnlySeeder() => new([seeder.LocalEndPoint!]);
        var leechers = new List<TorrentEngine>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var engine = new TorrentEngine(SwarmTests.LoopbackOptions());
                leechers.Add(engine);
                await engine.StartAsync(default);
            }
            using var stopLeaver = new CancellationTokenSource();
            var leaving = leechers[0].DownloadAsync(metainfo, files.PathOf("leaver.bin"), OnlySeeder(), null, stopLeaver.Token);
            var staying = leechers.Skip(1).Select((engine, i) =>
                engine.DownloadAsync(metainfo, files.PathOf($"stay{i}.bin"), OnlySeeder(), null, default)).ToArray();
            var deadline = DateTime.UtcNow + Timeout;
            while (leechers[0].GetProgress(metainfo.InfoHash) is not { } p || p.PiecesHave < metainfo.PieceCount / 4)
            {
                Assert.True(DateTime.UtcNow < deadline, "the leaver never got a quarter");
                Assert.False(leaving.IsCompleted, "the leaver finished before it could leave");
                await Task.Delay(20);
            }
            var heldByLeaver = leechers[0].GetProgress(metainfo.InfoHash)!.PiecesHave;
            var leaver = leechers[0];
            leechers.RemoveAt(0);
            await leaver.DisposeAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);

            await WaitAllAsync(staying, leechers, seeder, metainfo);
            for (var i = 0; i < 2; i++)
            {
                Assert.True(TestFiles.SameContent(source, files.PathOf($"stay{i}.bin")), $"leecher {i} differs");
            }
            Assert.True(heldByLeaver > 0);
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
    public async Task Leechers_that_cannot_reach_each_other_are_not_stalled()
    {
        using var files = new TestFiles();
        var source = files.Create("apart.bin", 32L * 1024 * 1024, seed: 10); // more than a lone window
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        // No peer exchange anywhere: each leecher knows only the seeder, so pieces shown to one never spread.
        var seederOptions = AdaptiveSeeder();
        seederOptions.PeerExchange = false;
        await using var seeder = await StartSeederAsync(seederOptions, metainfo, source);
        // One discovery per leecher: a shared StaticPeerDiscovery would hand out every announcer.
        StaticPeerDiscovery OnlySeeder() => new([seeder.LocalEndPoint!]);
        var leechers = new List<TorrentEngine>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var options = SwarmTests.LoopbackOptions();
                options.PeerExchange = false;
                var engine = new TorrentEngine(options);
                leechers.Add(engine);
                await engine.StartAsync(default);
            }
            var downloads = leechers.Select((engine, i) =>
                engine.DownloadAsync(metainfo, files.PathOf($"apart{i}.bin"), OnlySeeder(), null, default)).ToArray();
            await WaitAllAsync(downloads, leechers, seeder, metainfo);
            for (var i = 0; i < leechers.Count; i++)
            {
                Assert.True(TestFiles.SameContent(source, files.PathOf($"apart{i}.bin")), $"leecher {i} differs");
                Assert.Equal(metainfo.Length, leechers[i].GetDownloadedByPeer(metainfo.InfoHash)[seeder.LocalEndPoint!]);
            }
        }
        finally
        {
            foreach (var engine in leechers)
            {
                await engine.DisposeAsync();
            }
        }
    }

    /// <summary>A started engine seeding <paramref name="source"/>.</summary>
    private static async Task<TorrentEngine> StartSeederAsync(TorrentEngineOptions options, TorrentMetainfo metainfo, string source,
        TimeProvider? time = null)
    {
        var seeder = new TorrentEngine(options, null, time);
        try
        {
            await seeder.StartAsync(default);
            await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
            return seeder;
        }
        catch
        {
            await seeder.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitAllAsync(Task[] downloads, IReadOnlyList<TorrentEngine> leechers, TorrentEngine seeder,
        TorrentMetainfo metainfo)
    {
        try
        {
            await Task.WhenAll(downloads).WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            var report = string.Join("\n", leechers.Select(l => l.GetProgress(metainfo.InfoHash)));
            Assert.Fail("stalled:\n" + report + "\nseeder: " + seeder.GetStatistics(metainfo.InfoHash));
        }
    }

    /// <summary>Reads frames until <paramref name="count"/> HAVEs have come (a super-seed never sends a bitfield).</summary>
    private static async Task<List<int>> ReadHavesAsync(ScriptedPeer peer, int count)
    {
        var haves = new List<int>();
        while (haves.Count < count)
        {
            var frame = await peer.ReadMessageAsync() ?? throw new InvalidOperationException($"closed after {haves.Count} HAVEs");
            Assert.NotEqual(MessageId.Bitfield, frame.Id);
            if (frame.Id == MessageId.Have)
            {
                haves.Add((int)BinaryPrimitives.ReadUInt32BigEndian(frame.Payload));
            }
        }
        return haves;
    }

    private static List<int> Haves(List<(MessageId Id, byte[] Payload)> frames) =>
        [.. frames.Where(f => f.Id == MessageId.Have).Select(f => (int)BinaryPrimitives.ReadUInt32BigEndian(f.Payload))];
}
