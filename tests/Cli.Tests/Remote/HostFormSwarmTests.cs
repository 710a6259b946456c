using GitTorrent.TestSupport;
using static GitTorrent.Cli.Tests.Remote.SwarmTestData;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// git clone gittorrent://host/path with a local smart-HTTP origin (lighttpd + git http-backend) and two daemons
/// seeding byte-identical copies of it in a private DHT: objects come from the swarm, from both seeders.
/// </summary>
public sealed class HostFormSwarmTests(PrivateNetworkFixture fixture) : IClassFixture<PrivateNetworkFixture>
{
    [Fact]
    public async Task Host_form_clone_with_two_seeding_daemons_takes_pack_bytes_from_both_and_not_from_the_origin()
    {
        var net = fixture.Network;
        var originRoot = Path.Combine(net.Work.Path, "origin");
        Directory.CreateDirectory(originRoot);
        using var source = MakeRepository(Path.Combine(net.Work.Path, "host-source"), commits: 8, randomBytesPerCommit: 1 << 20);
        // An annotated tag: its tag object comes in the swarm's pack (include-tag), not from the origin.
        source.Git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "tag", "-a", "-m", "release 1", "v1", "HEAD~2");
        MakeBare(source.Root, Path.Combine(originRoot, "proj.git"));
        var tip = Head(source.Root);
        using var server = await GitHttpServer.StartAsync(originRoot);

        // Two daemons, each serving a byte-for-byte copy of the origin's repository: same objects, same pack, same infohash.
        var daemons = new List<Daemon>();
        foreach (var name in new[] { "seed1", "seed2" })
        {
            var repos = Path.Combine(net.Work.Path, name + "-repos");
            CopyTree(Path.Combine(originRoot, "proj.git"), Path.Combine(repos, "proj.git"));
            var home = net.NewHome(name);
            await net.KeygenAsync(home);
            daemons.Add(await net.StartDaemonAsync(home, repos));
        }
        await WaitForAnnouncementAsync(net, tip, daemons.Select(d => d.BtPort));

        var home2 = net.NewHome("host-cloner");
        var clone = Path.Combine(net.Work.Path, "host-clone");
        var run = await net.GitAsync(home2, "clone", $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.DoesNotContain(run.StandardError, l => l.Contains("from the origin", StringComparison.Ordinal));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal("tag", TempGitRepo.Run(clone, "cat-file", "-t", "v1").Trim());
        Assert.Empty(Directory.GetFiles(Path.Combine(clone, ".git", "objects", "pack"), "*.keep")); // git released the helper's lock
        Assert.Equal(tip, Head(clone));
        Assert.Equal(Refs(Path.Combine(originRoot, "proj.git")).Replace("refs/heads/", "refs/remotes/origin/", StringComparison.Ordinal)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            Refs(clone).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.EndsWith("refs/heads/main", StringComparison.Ordinal) && !l.EndsWith("/HEAD", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));

        // The pack came from both seeders: the helper's per-peer counts and both daemons' stats.json agree.
        var total = SwarmCloneTests.ReceivedBytes(run);
        Assert.True(total > 7 << 20, run.Describe());
        var perPeer = BytesPerPeerPort(run);
        foreach (var daemon in daemons)
        {
            Assert.True(perPeer.TryGetValue(daemon.BtPort, out var bytes) && bytes > 0,
                $"no pack bytes from the daemon on port {daemon.BtPort}: {run.Describe()}");
            Assert.True(await WaitForUploadedAsync(daemon.Home, bytes) >= bytes, $"stats.json of {daemon.Home} shows less than {bytes}");
        }
        Assert.True(perPeer.Values.Sum() >= total, run.Describe());
    }

    /// <summary>Waits until the DHT returns every given port for <paramref name="commit"/> (the daemons announce after their first scan).</summary>
    internal static async Task WaitForAnnouncementAsync(PrivateNetwork net, Engine.Hash20 commit, IEnumerable<int> ports)
    {
        var wanted = ports.ToHashSet();
        var found = new HashSet<int>();
        await Condition.WaitUntilAsync(async () =>
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                found.Clear();
                await foreach (var peer in net.Nodes[0].FindPeersAsync(commit, cts.Token))
                {
                    found.Add(peer.Port);
                }
                return wanted.IsSubsetOf(found);
            },
            $"{commit} announced by all of {string.Join(", ", wanted)}", PrivateNetwork.Timeout, TimeSpan.FromMilliseconds(500),
            () => $"found {string.Join(", ", found)}");
    }
}
