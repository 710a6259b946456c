using GitTorrent.Engine;
using GitTorrent.TestSupport;
using static GitTorrent.Cli.Tests.Remote.SwarmTestData;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// Three hostile seeders (a pack missing the wanted commit, corrupt pieces, a peer that never answers) on the real wire
/// protocol, announced in a private DHT, against git clone / git fetch with the remote helper (issue acceptance).
/// Each run is bounded by <see cref="PrivateNetwork.Timeout"/>; how long giving up takes is not asserted here
/// (wall-clock bounds fail on a loaded machine and pass on a fast one): the behaviour is what is checked.
/// </summary>
public sealed class HostileSeederTests(PrivateNetworkFixture fixture) : IClassFixture<PrivateNetworkFixture>
{
    [Fact]
    public async Task With_an_honest_daemon_present_a_key_form_clone_succeeds_despite_three_hostile_seeders()
    {
        var net = fixture.Network;
        var home = net.NewHome("honest");
        var user = await net.KeygenAsync(home);
        var repos = Path.Combine(net.Work.Path, "honest-repos");
        using var source = MakeRepository(Path.Combine(repos, "proj"), commits: 4, randomBytesPerCommit: 512 << 10);
        var tip = Head(source.Root);
        await using var hostiles = await StartHostilesAsync(net, source.Root, tip, "honest");
        var daemon = await net.StartDaemonAsync(home, repos);
        await net.WaitForProfileAsync(user, json => json.Contains(tip.ToString(), StringComparison.Ordinal), "with the tip");
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tip, [daemon.BtPort, .. hostiles.Ports]);

        var clone = Path.Combine(net.Work.Path, "honest-clone");
        var run = await net.GitAsync(net.NewHome("honest-cloner"), "clone", $"gittorrent://{user}/proj", clone);
        AssertOk(run);
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip, Head(clone));
        Assert.Equal(source.Git("rev-parse", "main"), TempGitRepo.Run(clone, "rev-parse", "origin/main"));
        Assert.True(BytesPerPeerPort(run).GetValueOrDefault(daemon.BtPort) > 0, run.Describe());
    }

    [Fact]
    public async Task With_only_hostile_seeders_key_form_clone_and_fetch_fail_naming_each_cause_and_leave_nothing()
    {
        var net = fixture.Network;
        var home = net.NewHome("victim");
        var user = await net.KeygenAsync(home);
        var repos = Path.Combine(net.Work.Path, "victim-repos");
        using var source = MakeRepository(Path.Combine(repos, "proj"), commits: 4, randomBytesPerCommit: 512 << 10);
        // A local repository that already has every commit but the last, fetching from the key-form URL later.
        var local = Path.Combine(net.Work.Path, "victim-local");
        TempGitRepo.Run(net.Work.Path, "clone", "-q", "--no-local", source.Root, local);
        var tip = source.Commit("last.txt", "the commit only hostile seeders claim to have\n");
        await using var hostiles = await StartHostilesAsync(net, source.Root, tip, "victim");
        var publish = await GitTorrent.TestSupport.ProcessRunner.RunAsync("dotnet", [PrivateNetwork.Gittorrent, "publish", "--repos", repos],
            PrivateNetwork.Timeout, net.Environment(home));
        AssertOk(publish);
        await net.WaitForProfileAsync(user, json => json.Contains(tip.ToString(), StringComparison.Ordinal), "with the tip");
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tip, hostiles.Ports);

        // Clone: fails (within the process timeout every run has), names every hostile peer with what went wrong, leaves no directory.
        var clone = Path.Combine(net.Work.Path, "victim-clone");
        var cloner = net.NewHome("victim-cloner");
        // Time to try every hostile peer: the default swarm timeout (3 s) can end the swarm phase on a loaded machine
        // before the last of them answered, and this test is about naming each one.
        var environment = net.Environment(cloner);
        environment["GITTORRENT_SWARM_TIMEOUT"] = "20";
        var run = await GitTorrent.TestSupport.ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{user}/proj", clone], PrivateNetwork.Timeout, environment);
        Assert.NotEqual(0, run.ExitCode);
        Assert.False(Directory.Exists(clone), "git clone left a directory behind");
        AssertNamesEachCause(run, hostiles, tip);

        // Fetch into an existing repository: fails, refs and objects unchanged, no quarantine left.
        TempGitRepo.Run(local, "remote", "add", "gt", $"gittorrent://{user}/proj");
        var refsBefore = Refs(local);
        var objectsBefore = ObjectFiles(local);
        var fetch = await GitTorrent.TestSupport.ProcessRunner.RunAsync("git", ["-C", local, "fetch", "gt"], PrivateNetwork.Timeout, environment);
        Assert.NotEqual(0, fetch.ExitCode);
        AssertNamesEachCause(fetch, hostiles, tip);
        Assert.Equal(refsBefore, Refs(local));
        Assert.Equal(objectsBefore, ObjectFiles(local));
        Assert.Throws<InvalidOperationException>(() => TempGitRepo.Run(local, "cat-file", "-e", tip.ToString()));
        TempGitRepo.Run(local, "fsck", "--strict");
    }

    [Fact]
    public async Task With_only_hostile_seeders_a_host_form_clone_falls_back_to_the_origin()
    {
        var net = fixture.Network;
        var originRoot = Path.Combine(net.Work.Path, "fallback-origin");
        Directory.CreateDirectory(originRoot);
        using var source = MakeRepository(Path.Combine(net.Work.Path, "fallback-source"), commits: 4, randomBytesPerCommit: 512 << 10);
        var bare = Path.Combine(originRoot, "proj.git");
        MakeBare(source.Root, bare);
        var tip = Head(source.Root);
        using var server = await GitHttpServer.StartAsync(originRoot);
        await using var hostiles = await StartHostilesAsync(net, bare, tip, "fallback");
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tip, hostiles.Ports);

        var clone = Path.Combine(net.Work.Path, "fallback-clone");
        var run = await net.GitAsync(net.NewHome("fallback-cloner"), "-c", "fetch.fsckObjects=true", "clone", "-v",
            $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.Contains(run.StandardError, l => l.Contains("from the origin", StringComparison.Ordinal));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip, Head(clone));
        Assert.Equal(TempGitRepo.Run(bare, "rev-parse", "main"), TempGitRepo.Run(clone, "rev-parse", "origin/main"));
    }

    private static void AssertNamesEachCause(GitTorrent.TestSupport.ProcessRunner run, HostileSet hostiles, Hash20 tip)
    {
        var text = string.Join('\n', run.StandardError);
        Assert.Contains(tip.ToString(), text);
        foreach (var hostile in hostiles.Seeders)
        {
            var mentions = run.StandardError.SelectMany(l => l.Split(" | ")).SelectMany(l => l.Split("; "))
                .Where(l => l.Contains($"127.0.0.1:{hostile.Port}", StringComparison.Ordinal)).ToList();
            Assert.True(mentions.Count > 0, $"{hostile.Kind} seeder on {hostile.Port} not named: {run.Describe()}");
            var expected = hostile.Kind switch
            {
                HostileKind.WrongPack => "does not contain commit",
                HostileKind.CorruptPieces => "corrupt pieces",
                _ => "did not answer",
            };
            Assert.True(mentions.Any(m => m.Contains(expected, StringComparison.Ordinal)),
                $"{hostile.Kind} seeder on {hostile.Port}: expected '{expected}' in {string.Join(" / ", mentions)}");
        }
    }

    /// <summary>Every file under objects/ (packs, loose objects, leftover quarantine folders).</summary>
    private static List<string> ObjectFiles(string repository)
    {
        var objects = Path.Combine(repository, ".git", "objects");
        return [.. Directory.EnumerateFileSystemEntries(objects, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(objects, f)).Order(StringComparer.Ordinal)];
    }

    private static async Task<HostileSet> StartHostilesAsync(PrivateNetwork net, string repository, Hash20 commit, string name)
    {
        using var cts = new CancellationTokenSource(PrivateNetwork.Timeout);
        var set = new HostileSet();
        var i = 1;
        foreach (var kind in new[] { HostileKind.WrongPack, HostileKind.CorruptPieces, HostileKind.Silent })
        {
            var seeder = await HostileSeeder.StartAsync(kind, repository, commit, Path.Combine(net.Work.Path, $"{name}-{kind}"), cts.Token);
            set.Seeders.Add(seeder);
            await seeder.AnnounceAsync(net.Nodes[i++], cts.Token);
        }
        return set;
    }

    private sealed class HostileSet : IAsyncDisposable
    {
        public List<HostileSeeder> Seeders { get; } = [];

        public IEnumerable<int> Ports => Seeders.Select(s => s.Port);

        public async ValueTask DisposeAsync()
        {
            foreach (var seeder in Seeders)
            {
                await seeder.DisposeAsync();
            }
        }
    }
}
