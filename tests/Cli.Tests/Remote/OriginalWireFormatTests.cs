using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Client;
using GitTorrent.TestSupport;
using static GitTorrent.Cli.Tests.Remote.SwarmTestData;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// git clone gittorrent:// from a seeder speaking the original 2015 Node.js wire format: the original npm packages
/// (bittorrent-protocol@1.5.7 + ut_gittorrent@0.1.1, installed by test.sh into tests/Interop/node) answer {sha} with
/// {infoHash}; the pack torrent itself is seeded by a separate BitTorrent client (our engine, not a GitTorrent node).
/// </summary>
public sealed class OriginalWireFormatTests(PrivateNetworkFixture fixture) : IClassFixture<PrivateNetworkFixture>
{
    [Fact]
    public async Task A_clone_works_from_a_seeder_speaking_the_original_nodejs_ut_gittorrent()
    {
        var net = fixture.Network;
        var modules = Path.Combine(RepositoryLayout.Root, "tests", "Interop", "node", "node_modules");
        Assert.True(Directory.Exists(Path.Combine(modules, "ut_gittorrent")) && Directory.Exists(Path.Combine(modules, "bittorrent-protocol")),
            $"{modules} lacks ut_gittorrent / bittorrent-protocol: run 'npm ci' in tests/Interop/node (test.sh does)");
        using var cts = new CancellationTokenSource(PrivateNetwork.Timeout);

        var originRoot = Path.Combine(net.Work.Path, "orig-origin");
        Directory.CreateDirectory(originRoot);
        using var source = MakeRepository(Path.Combine(net.Work.Path, "orig-source"), commits: 3, randomBytesPerCommit: 256 << 10);
        var bare = Path.Combine(originRoot, "proj.git");
        MakeBare(source.Root, bare);
        var tip = Head(source.Root);
        using var server = await GitHttpServer.StartAsync(originRoot);

        // A plain BitTorrent seed of the pack, announced under its infohash only.
        var (metainfo, packPath) = await HostileSeeder.BuildPackTorrentAsync(bare, tip, Path.Combine(net.Work.Path, "orig-pack"), cts.Token);
        await using var packSeeder = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback });
        await packSeeder.StartAsync(cts.Token);
        await packSeeder.AddSeedAsync(metainfo, packPath, cts.Token);
        await net.Nodes[5].AnnounceAsync(metainfo.InfoHash, packSeeder.Port, cts.Token);

        // The original-format peer, announced under the commit.
        await using var peer = ProcessRunner.Start("node",
            [Path.Combine(AppContext.BaseDirectory, "Remote", "original-gittorrent-peer.js"), tip.ToString(), metainfo.InfoHash.ToString()],
            new Dictionary<string, string?> { ["NODE_PATH"] = modules });
        var port = ListenPort(await peer.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
        await net.Nodes[4].AnnounceAsync(tip, port, cts.Token);
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tip, [port]);

        var clone = Path.Combine(net.Work.Path, "orig-clone");
        var run = await net.GitAsync(net.NewHome("orig-cloner"), "clone", $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.DoesNotContain(run.StandardError, l => l.Contains("from the origin", StringComparison.Ordinal));
        Assert.Contains(peer.StandardOutput, l => l == "asked " + tip);
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip, Head(clone));
        Assert.Equal(TempGitRepo.Run(bare, "rev-parse", "main"), TempGitRepo.Run(clone, "rev-parse", "origin/main"));
        Assert.True(packSeeder.GetStatistics().Uploaded >= metainfo.Length, $"the pack seeder sent {packSeeder.GetStatistics().Uploaded} of {metainfo.Length}");
    }

    [Fact]
    public async Task A_clone_of_several_branches_from_an_original_seeder_asks_for_each_tip_it_ignored()
    {
        // The original ignores our "want" list: the first pack brings HEAD's branch only, and the helper asks the same
        // peer for every other tip, one request each, with no origin.
        var net = fixture.Network;
        var modules = Path.Combine(RepositoryLayout.Root, "tests", "Interop", "node", "node_modules");
        using var cts = new CancellationTokenSource(PrivateNetwork.Timeout);
        var originRoot = Path.Combine(net.Work.Path, "orig-multi-origin");
        Directory.CreateDirectory(originRoot);
        using var source = MakeRepository(Path.Combine(net.Work.Path, "orig-multi-source"), commits: 2, randomBytesPerCommit: 64 << 10);
        for (var b = 0; b < 3; b++)
        {
            source.Git("checkout", "-q", "-b", $"topic/{b}", "main~1");
            source.Commit($"topic{b}.txt", $"topic {b} {Guid.NewGuid()}\n");
        }
        source.Git("checkout", "-q", "main");
        var bare = Path.Combine(originRoot, "proj.git");
        MakeBare(source.Root, bare);
        using var server = await GitHttpServer.StartAsync(originRoot);

        await using var packSeeder = new TorrentEngine(new TorrentEngineOptions { ListenAddress = IPAddress.Loopback });
        await packSeeder.StartAsync(cts.Token);
        var tips = new[] { "main", "topic/0", "topic/1", "topic/2" }.Select(b => Hash20.Parse(TempGitRepo.Run(bare, "rev-parse", b).Trim())).ToList();
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Remote", "original-gittorrent-peer.js") };
        foreach (var tip in tips)
        {
            var (metainfo, packPath) = await HostileSeeder.BuildPackTorrentAsync(bare, tip, Path.Combine(net.Work.Path, "orig-multi-packs"), cts.Token);
            await packSeeder.AddSeedAsync(metainfo, packPath, cts.Token);
            await net.Nodes[5].AnnounceAsync(metainfo.InfoHash, packSeeder.Port, cts.Token);
            arguments.AddRange([tip.ToString(), metainfo.InfoHash.ToString()]);
        }
        await using var peer = ProcessRunner.Start("node", arguments, new Dictionary<string, string?> { ["NODE_PATH"] = modules });
        var port = ListenPort(await peer.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal), TimeSpan.FromSeconds(30)));
        await net.Nodes[4].AnnounceAsync(tips[0], port, cts.Token);
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tips[0], [port]);

        var clone = Path.Combine(net.Work.Path, "orig-multi-clone");
        var run = await net.GitAsync(net.NewHome("orig-multi-cloner"), "clone", "--mirror", $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.DoesNotContain(run.StandardError, l => l.Contains("origin", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(run.StandardError, l => l.StartsWith("Also received", StringComparison.Ordinal));
        Assert.Contains(run.StandardError, l => l.StartsWith("Fetching 3 more tip(s) from the swarm", StringComparison.Ordinal));
        Assert.All(tips, tip => Assert.Contains(peer.StandardOutput, l => l == "asked " + tip));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(TempGitRepo.Run(bare, "for-each-ref", "--format=%(refname) %(objectname)"),
            TempGitRepo.Run(clone, "for-each-ref", "--format=%(refname) %(objectname)"));
    }

    private static int ListenPort(string line) =>
        int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
