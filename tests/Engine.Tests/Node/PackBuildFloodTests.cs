using GitTorrent.Engine.Fetch;
using System.Net;
using System.Security.Cryptography;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Node;

/// <summary>
/// The pack-build flood of issue 11: an attacker on 127.0.0.2 asks a seeder for many packs with random haves (and
/// different real ones, so that keys differ), each connection closed 0.5 s after its request. The seeder runs at most
/// its global number of <c>git pack-objects</c> at once, at most one for the attacker's address, cancels what nobody
/// waits for, stays within its disk bound (temp files included), and a clone from 127.0.0.1 meanwhile succeeds.
/// </summary>
public sealed class PackBuildFloodTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private const int MaxBuilds = 2;
    private const int BlobBytes = 8 << 20;
    private readonly TestNodes _nodes = new("gt-flood-");
    

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_flood_of_pack_requests_stays_within_the_build_and_disk_bounds_and_an_honest_clone_gets_through()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        var history = Enumerable.Range(0, 8).Select(i => source.Commit($"f{i}.txt", $"{i}\n")).ToList();
        // Incompressible bytes in the tip: every pack holds them, whatever the haves, so each build takes a while.
        File.WriteAllBytes(Path.Combine(source.Root, "random.bin"), RandomNumberGenerator.GetBytes(BlobBytes));
        var tip = source.Commit("tip.txt", "tip\n");
        var cap = 4L * BlobBytes;

        var seeder = await StartAsync("seeder", cap, cts.Token);
        seeder.SetRepositories([new ServedRepository("repo", source.Root)]);
        await seeder.WaitForServedCommitsAsync(cts.Token);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port);
        var packs = Path.Combine(_nodes.Folder("seeder"), "packs");

        await using var probe = new GitProcessProbe(source.Root, "pack-objects");
        long maxDisk = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var used = new DirectoryInfo(packs).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => SafeLength(f));
                maxDisk = Math.Max(maxDisk, used);
                await Task.Delay(10);
            }
        });

        // Three waves of 20 requests, each with a different subset of real haves plus random ones.
        var random = new Random(11);
        var attack = Task.Run(async () =>
        {
            for (var wave = 0; wave < 3; wave++)
            {
                await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
                {
                    List<Hash20> haves;
                    lock (random)
                    {
                        // Always history[0]: the keys of the part below (one have each, not history[0]) stay new.
                        haves = [history[0], .. history.Skip(1).Where(_ => random.Next(2) == 0),
                            .. Enumerable.Range(0, 200).Select(_ => Hash20.Random())];
                    }
                    await using var peer = await GitTorrentAttacker.HandshakeAsync(seederEndPoint, tip);
                    if (peer is not null && await GitTorrentAttacker.AskAsync(peer, tip, haves))
                    {
                        await Task.Delay(500);
                    }
                }));
            }
        });

        // The honest clone, from 127.0.0.1, while the attack runs: a fresh repository, so no haves (a key of its own).
        await Task.Delay(300, cts.Token);
        var client = await StartAsync("client", 1L << 30, cts.Token);
        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var result = await fetcher.FetchAsync(tip, [], target.GitDir, new SwarmFetchOptions([seederEndPoint]), cts.Token).WaitAsync(cts.Token);
        await attack.WaitAsync(cts.Token);
        await stopSampling.CancelAsync();
        await sampler.WaitAsync(cts.Token);

        Assert.True(result.Success, string.Join("; ", result.Failures));
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");

        // How many of the flood's builds start, are refused or are abandoned depends on how fast git runs here; the
        // bounds must hold whatever it was. The part below makes each bound bite for certain.
        Assert.True(probe.Seen >= 1, $"saw {probe.Seen} pack-objects"); // the probe works: at least the honest build
        Assert.InRange(probe.Peak, 1, MaxBuilds);
        Assert.InRange(seeder.Packs.GetStatistics().PeakBuildsRunning, 1, MaxBuilds);

        // Builds that cannot finish (the probe stops each pack-objects as soon as it starts): a second build for the
        // same address is refused, a build beyond the global bound is refused, and builds whose requesters left are
        // cancelled: their pack-objects killed and their slots free again.
        await Condition.WaitUntilAsync(() => seeder.Packs.GetStatistics().BuildsRunning == 0, "the flood's builds ended", Timeout);
        var before = seeder.Packs.GetStatistics();
        await using (var frozen = new GitProcessProbe(source.Root, freeze: true, "pack-objects"))
        {
            var first = await AskAsync(seederEndPoint, tip, history[1], ScriptedPeer.AttackerAddress);
            await Condition.WaitUntilAsync(() => frozen.Now == 1 && seeder.Packs.GetStatistics().BuildsRunning == 1, "the first build", Timeout);
            await using (await AskAsync(seederEndPoint, tip, history[2], ScriptedPeer.AttackerAddress))
            {
                await Condition.WaitUntilAsync(() => seeder.Packs.GetStatistics().RefusedPerAddress > before.RefusedPerAddress,
                    "the per-address bound", Timeout);
            }
            var second = await AskAsync(seederEndPoint, tip, history[3], IPAddress.Parse("127.0.0.3"));
            await Condition.WaitUntilAsync(() => frozen.Now == 2 && seeder.Packs.GetStatistics().BuildsRunning == 2, "the second build", Timeout);
            await using (await AskAsync(seederEndPoint, tip, history[4], IPAddress.Parse("127.0.0.4")))
            {
                await Condition.WaitUntilAsync(() => seeder.Packs.GetStatistics().RefusedGlobal > before.RefusedGlobal, "the global bound", Timeout);
            }
            await first.DisposeAsync();
            await second.DisposeAsync();
            await Condition.WaitUntilAsync(() => seeder.Packs.GetStatistics() is { BuildsRunning: 0 } now
                && now.BuildsCancelled == before.BuildsCancelled + 2 && frozen.Now == 0, "no abandoned build was cancelled", Timeout);
        }

        var stats = seeder.Packs.GetStatistics();
        Assert.True(stats.RefusedPerAddress > 0, "the per-address bound never bit");
        Assert.True(stats.BuildsCancelled > 0, "no abandoned build was cancelled");
        Assert.InRange(maxDisk, 1, cap);
        Assert.InRange(seeder.Packs.UsedBytes, 1, cap);
        var limits = seeder.GetStatistics().Limits!;
        Assert.Equal(stats.RefusedPerAddress, limits.PackBuildsRefusedPerAddress);
        Assert.Equal(stats.BuildsCancelled, limits.PackBuildsCancelled);
        // What is left on disk is what the cache counts: no temp file, a request file per pack it holds.
        Assert.Empty(Directory.GetFiles(packs, "*.tmp"));
        Assert.True(Directory.GetFiles(Path.Combine(packs, "requests")).Length <= stats.Packs * 60);
    }

    /// <summary>
    /// The node's MaxConcurrentRequests: with two requests waiting on builds (frozen), a third, from another address and
    /// with its own key, is answered "busy" by the extension before any build, and counted in the node's limits.
    /// </summary>
    [Fact]
    public async Task Requests_beyond_MaxConcurrentRequests_are_answered_busy_and_counted()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        var history = Enumerable.Range(0, 4).Select(i => source.Commit($"f{i}.txt", $"{i}\n")).ToList();
        // Incompressible bytes in the tip, so that each build lasts until the probe has frozen it.
        File.WriteAllBytes(Path.Combine(source.Root, "random.bin"), RandomNumberGenerator.GetBytes(BlobBytes));
        var tip = source.Commit("tip.txt", "tip\n");
        var seeder = await _nodes.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = _nodes.Folder("requests"),
            Bind = IPAddress.Loopback,
            Bootstrap = [],
            Limits = new NodeLimits { MaxConcurrentRequests = 2, MaxConcurrentPackBuilds = 8 },
        }, cts.Token);
        seeder.SetRepositories([new ServedRepository("repo", source.Root)]);
        await seeder.WaitForServedCommitsAsync(cts.Token);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port);
        Assert.Equal(2, seeder.Extension.MaxConcurrentRequests);

        await using var frozen = new GitProcessProbe(source.Root, freeze: true, "pack-objects");
        await using var first = await AskAsync(seederEndPoint, tip, history[1], ScriptedPeer.AttackerAddress);
        await using var second = await AskAsync(seederEndPoint, tip, history[2], IPAddress.Parse("127.0.0.3"));
        await Condition.WaitUntilAsync(() => frozen.Now == 2, "two builds held", Timeout);
        Assert.Equal(0, seeder.GetStatistics().Limits!.RequestsRefused);

        await using var third = await AskAsync(seederEndPoint, tip, history[3], IPAddress.Parse("127.0.0.4"));
        await Condition.WaitUntilAsync(() => seeder.GetStatistics().Limits!.RequestsRefused == 1, "the request bound", Timeout);
        var packs = seeder.Packs.GetStatistics();
        Assert.Equal((2, 0L, 0L), (packs.BuildsRunning, packs.RefusedGlobal, packs.RefusedPerAddress)); // refused before any build
    }

    [Fact]
    public async Task Requests_whose_haves_the_repository_lacks_share_one_build_and_then_the_cache()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        source.Commit("a.txt", "a\n");
        var tip = source.Commit("b.txt", "b\n");
        var cache = new PackCache(_nodes.Folder("cache"), 1L << 30, maxBuilds: 1);
        var made = 0;

        async Task<(Hash20, byte[])> MakeTorrent(string path, Hash20 commit, CancellationToken ct)
        {
            Interlocked.Increment(ref made);
            return (Hash20.Sha1(await File.ReadAllBytesAsync(path, ct)), "d4:infode"u8.ToArray());
        }

        // Eight requests at once from eight addresses, each with its own random haves: one key, one build, all answered
        // (with one build slot, a second build would have been refused).
        var packs = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => cache.GetOrBuildAsync(source.Root, tip, [],
            [.. Enumerable.Range(0, 50).Select(_ => Hash20.Random())], IPAddress.Parse($"127.0.1.{i}"), MakeTorrent, cts.Token)));
        var again = await cache.GetOrBuildAsync(source.Root, tip, [], [Hash20.Random()], IPAddress.Loopback, MakeTorrent, cts.Token);

        Assert.Equal(1, made);
        Assert.Single(packs.Select(p => p.InfoHash).Distinct());
        Assert.True(again.FromCache);
        var stats = cache.GetStatistics();
        Assert.Equal(1, stats.BuildsStarted);
        Assert.Equal(0, stats.RefusedGlobal);
        Assert.Single(Directory.GetFiles(Path.Combine(_nodes.Folder("cache"), "requests")));
    }

    [Fact]
    public async Task Leftovers_of_a_stopped_run_are_deleted_and_an_oversized_cache_is_pruned_at_start()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        var first = source.Commit("a.txt", new string('a', 20_000) + Guid.NewGuid());
        var second = source.Commit("b.txt", new string('b', 20_000) + Guid.NewGuid());
        var folder = _nodes.Folder("restart");
        var cache = new PackCache(folder, 1L << 30);
        static async Task<(Hash20, byte[])> MakeTorrent(string path, Hash20 commit, CancellationToken ct) =>
            (Hash20.Sha1(await File.ReadAllBytesAsync(path, ct)), "d4:infode"u8.ToArray());
        var old = await cache.GetOrBuildAsync(source.Root, first, [], MakeTorrent, cts.Token);
        await Task.Delay(20, cts.Token); // a later last use for the second pack
        var recent = await cache.GetOrBuildAsync(source.Root, second, [], MakeTorrent, cts.Token);
        File.WriteAllBytes(Path.Combine(folder, "building-0123.tmp"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(folder, recent.InfoHash + ".torrent.abc.tmp"), new byte[10]);
        File.WriteAllText(Path.Combine(folder, "requests", Hash20.Random().ToString()), Hash20.Random().ToString());
        File.SetLastWriteTimeUtc(old.PackPath, DateTime.UtcNow.AddHours(-1));

        // Restarted with room for the recent pack only.
        var restarted = new PackCache(folder, recent.Size + PackCache.RequestFileCharge);

        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        Assert.False(File.Exists(old.PackPath));
        Assert.True(File.Exists(recent.PackPath));
        Assert.Single(Directory.GetFiles(Path.Combine(folder, "requests")));
        Assert.InRange(restarted.UsedBytes, 1, recent.Size + PackCache.RequestFileCharge);
        Assert.True((await restarted.GetOrBuildAsync(source.Root, second, [], MakeTorrent, cts.Token)).FromCache);
    }

    /// <summary>Handshakes from <paramref name="from"/> and asks for <paramref name="want"/> with one have (a key of its own).</summary>
    private static async Task<ScriptedPeer> AskAsync(IPEndPoint seeder, Hash20 want, Hash20 have, IPAddress from)
    {
        var peer = await GitTorrentAttacker.HandshakeAsync(seeder, want, from) ?? throw new InvalidOperationException("handshake refused");
        if (!await GitTorrentAttacker.AskAsync(peer, want, [have]))
        {
            await peer.DisposeAsync();
            throw new InvalidOperationException("the seeder closed before the request");
        }
        return peer;
    }

    private static long SafeLength(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private Task<GitTorrentNode> StartAsync(string name, long cacheBytes, CancellationToken cancellationToken) =>
        _nodes.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = _nodes.Folder(name),
            Bind = IPAddress.Loopback,
            Bootstrap = [],
            PackCacheBytes = cacheBytes,
            Limits = new NodeLimits { MaxConcurrentPackBuilds = MaxBuilds },
            FetchTimeout = TimeSpan.FromSeconds(90),
            StallTimeout = TimeSpan.FromSeconds(30),
            AskTimeout = TimeSpan.FromSeconds(20),
        }, cancellationToken);
}
