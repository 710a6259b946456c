using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using GitTorrent.Engine;
using GitTorrent.TestSupport;
using static GitTorrent.Cli.Tests.Remote.SwarmTestData;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// Issue 18's acceptance: a clone decides once whether the swarm can serve it. Real git, the real helper process, a
/// private DHT of one live node and six that left (with latency on every datagram), a smart-HTTP origin.
/// </summary>
public sealed partial class DecideOnceTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task A_host_form_clone_nobody_seeds_makes_a_handful_of_lookups_and_one_origin_fetch()
    {
        await using var net = await PrivateNetwork.StartAsync(nodes: 1, departed: 6, oneWayDelay: Latency);
        var (bare, server) = await OriginAsync(net, branches: 150, annotatedTags: 40, lightweightTags: 30);
        using var _ = server;
        var home = net.NewHome("cloner");

        var clone = Path.Combine(net.Work.Path, "clone.git");
        var run = await net.GitAsync(home, "clone", "--bare", "-v", $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.Equal(Refs(bare), Refs(clone));
        TempGitRepo.Run(clone, "fsck", "--strict");
        var main = TempGitRepo.Run(bare, "rev-parse", "main").Trim();
        Assert.Contains(run.StandardError, l => l.StartsWith($"no peer has {main} after ", StringComparison.Ordinal)
            && l.EndsWith(", fetching from the origin", StringComparison.Ordinal));
        Assert.Single(run.StandardError, l => l.Contains(" ref(s) from the origin ", StringComparison.Ordinal));
        Assert.Contains(run.StandardError, l => l.StartsWith("Fetching 221 ref(s) from the origin ", StringComparison.Ordinal));
        Assert.DoesNotContain(run.StandardError, l => l.Contains("more tip(s) from the swarm", StringComparison.Ordinal));
        // The bootstrap lookup and the first tip's: not one per tip.
        Assert.InRange(Lookups(run), 1, 4);

        // A fetch after the origin moved on several branches and got new tags decides the same way.
        TempGitRepo.Run(bare, "update-ref", "refs/heads/b/7", TempGitRepo.Run(bare, "commit-tree", "b/7^{tree}", "-p", "b/7", "-m", "more").Trim());
        TempGitRepo.Run(bare, "update-ref", "refs/heads/main", TempGitRepo.Run(bare, "commit-tree", "main^{tree}", "-p", "main", "-m", "more").Trim());
        TempGitRepo.Run(bare, "tag", "new-tag", "b/9");
        var fetch = await net.GitAsync(home, "-C", clone, "fetch", "-v", "origin", "+refs/*:refs/*");
        AssertOk(fetch);
        Assert.Equal(Refs(bare), Refs(clone));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Single(fetch.StandardError, l => l.Contains(" ref(s) from the origin ", StringComparison.Ordinal));
        Assert.InRange(Lookups(fetch), 1, 4);
    }

    [Fact]
    public async Task With_one_seeder_of_heads_branch_head_comes_from_the_swarm_and_every_other_tip_from_the_origin_in_one_fetch()
    {
        await using var net = await PrivateNetwork.StartAsync(nodes: 1, departed: 6, oneWayDelay: Latency);
        var (bare, server) = await OriginAsync(net, branches: 30, annotatedTags: 6, lightweightTags: 4);
        using var _ = server;
        // The seeder serves a copy holding main only.
        var repos = Path.Combine(net.Work.Path, "seeder-repos");
        Directory.CreateDirectory(repos);
        TempGitRepo.Run(repos, "clone", "-q", "--bare", "--no-local", "--single-branch", "--no-tags", "--branch", "main", bare,
            Path.Combine(repos, "proj.git"));
        var seederHome = net.NewHome("seeder");
        await net.KeygenAsync(seederHome);
        var daemon = await net.StartDaemonAsync(seederHome, repos);
        var main = Hash20.Parse(TempGitRepo.Run(bare, "rev-parse", "main").Trim());
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, main, [daemon.BtPort]);

        var clone = Path.Combine(net.Work.Path, "clone.git");
        var run = await net.GitAsync(net.NewHome("cloner"), "clone", "--bare", "-v", $"gittorrent://{server.Authority}/git/proj.git", clone);
        AssertOk(run);
        Assert.Equal(Refs(bare), Refs(clone));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Contains(run.StandardError, l => l.StartsWith($"Received ", StringComparison.Ordinal) && l.Contains($" pack bytes for {main} from ", StringComparison.Ordinal));
        Assert.True(BytesPerPeerPort(run).GetValueOrDefault(daemon.BtPort) > 0, run.Describe());
        // Every other tip (30 branches, 10 tags) in one origin fetch; the seeder was asked for one of them once.
        Assert.Single(run.StandardError, l => l.Contains(" ref(s) from the origin ", StringComparison.Ordinal));
        Assert.Contains(run.StandardError, l => l.StartsWith("Fetching 40 ref(s) from the origin ", StringComparison.Ordinal));
        Assert.Contains(run.StandardError, l => l.StartsWith("Fetching 30 more tip(s) from the swarm", StringComparison.Ordinal));
        Assert.Contains(run.StandardError, l => l.Contains("fetching the 30 tip(s) still missing from the origin", StringComparison.Ordinal));
        Assert.InRange(Lookups(run), 1, 8);
    }

    [Fact]
    public async Task A_key_form_clone_nobody_serves_fails_at_the_swarm_timeout_naming_the_commit_and_what_was_tried()
    {
        await using var net = await PrivateNetwork.StartAsync(nodes: 1, departed: 6, oneWayDelay: Latency);
        var home = net.NewHome("alice");
        var user = await net.KeygenAsync(home);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        using var source = MakeRepository(Path.Combine(repos, "proj"), commits: 2, randomBytesPerCommit: 1024);
        var tip = Head(source.Root);
        AssertOk(await ProcessRunner.RunAsync("dotnet", [PrivateNetwork.Gittorrent, "publish", "--repos", repos], PrivateNetwork.Timeout,
            net.Environment(home)));
        await net.WaitForProfileAsync(user, json => json.Contains(tip.ToString(), StringComparison.Ordinal), "with the tip");
        // The only peer announcing the tip accepts connections and never says a word: nobody is ever reached.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        var accepting = AcceptForeverAsync(silent, held);
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        using (var cts = new CancellationTokenSource(PrivateNetwork.Timeout))
        {
            Assert.Equal(1, await net.Dht.AnnounceAsync(tip, silentPort, cts.Token));
        }
        await HostFormSwarmTests.WaitForAnnouncementAsync(net, tip, [silentPort]);

        var clone = Path.Combine(net.Work.Path, "clone");
        var environment = net.Environment(net.NewHome("cloner"));
        environment["GITTORRENT_SWARM_TIMEOUT"] = "1.5";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{user}/proj", clone], PrivateNetwork.Timeout, environment);
        watch.Stop();
        silent.Stop();
        foreach (var client in held)
        {
            client.Dispose();
        }
        await accepting;
        Assert.NotEqual(0, run.ExitCode);
        Assert.False(Directory.Exists(clone), "git clone left a directory behind");
        var fatal = Assert.Single(run.StandardError, l => l.StartsWith("fatal: gittorrent: ", StringComparison.Ordinal));
        // The message of the 1.5 s bound, not of the 10 s ask timeout that would end the attempt without it.
        Assert.True(fatal.Contains($"refs/heads/main ({tip}): no peer has it after 1.5 s", StringComparison.Ordinal), run.Describe());
        Assert.True(fatal.Contains("the DHT lookup found 1 peer(s)", StringComparison.Ordinal), run.Describe());
        Assert.DoesNotContain(run.StandardError, l => l.Contains("could not connect in time", StringComparison.Ordinal));
        Assert.True(watch.Elapsed < PrivateNetwork.Timeout / 2, $"took {watch.Elapsed}: {run.Describe()}");
    }

    /// <summary>An origin serving <c>proj.git</c> (made by <see cref="MakeManyRefsAsync"/>) over smart HTTP.</summary>
    private static async Task<(string Bare, GitHttpServer Server)> OriginAsync(PrivateNetwork net, int branches, int annotatedTags, int lightweightTags)
    {
        var originRoot = Path.Combine(net.Work.Path, "origin");
        var bare = Path.Combine(originRoot, "proj.git");
        await MakeManyRefsAsync(bare, branches, annotatedTags, lightweightTags);
        return (bare, await GitHttpServer.StartAsync(originRoot));
    }

    /// <summary>Holds every connection it accepts without sending anything, until stopped.</summary>
    private static async Task AcceptForeverAsync(TcpListener listener, List<TcpClient> held)
    {
        try
        {
            while (true)
            {
                held.Add(await listener.AcceptTcpClientAsync());
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    /// <summary>The helper's count of DHT lookups ("dht: N lookup(s), ..." with -v).</summary>
    private static int Lookups(ProcessRunner run)
    {
        var line = run.StandardError.LastOrDefault(l => l.StartsWith("dht: ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("no 'dht:' line: " + run.Describe());
        return int.Parse(LookupCount().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^dht: (\d+) lookup")]
    private static partial Regex LookupCount();

    /// <summary>
    /// A bare repository at <paramref name="bare"/> with main, <paramref name="branches"/> more branches off it, and tags
    /// on them (annotated and lightweight), made with one <c>git fast-import</c>.
    /// </summary>
    internal static async Task MakeManyRefsAsync(string bare, int branches, int annotatedTags, int lightweightTags)
    {
        Directory.CreateDirectory(bare);
        TempGitRepo.Run(bare, "init", "-q", "--bare", "-b", "main");
        var script = new System.Text.StringBuilder();
        var mark = 0;
        void Commit(string branch, string message, int? from)
        {
            mark++;
            var blob = $"{message} {Guid.NewGuid()}\n";
            script.Append($"commit refs/heads/{branch}\nmark :{mark}\ncommitter A <a@example.org> {1700000000 + mark} +0000\n")
                .Append($"data {message.Length}\n{message}");
            if (from is { } parent)
            {
                script.Append($"from :{parent}\n");
            }
            script.Append($"M 644 inline file-{mark}.txt\ndata {System.Text.Encoding.UTF8.GetByteCount(blob)}\n{blob}\n");
        }
        Commit("main", "base\n", null);
        Commit("main", "second\n", 1);
        var mainMark = mark;
        var branchMarks = new List<int>();
        for (var i = 0; i < branches; i++)
        {
            Commit($"b/{i}", $"branch {i}\n", i % 2 == 0 ? mainMark : mainMark - 1);
            branchMarks.Add(mark);
        }
        for (var i = 0; i < annotatedTags; i++)
        {
            var message = $"release {i}\n";
            script.Append($"tag v{i}\nfrom :{branchMarks[i % branchMarks.Count]}\ntagger A <a@example.org> 1700000000 +0000\n")
                .Append($"data {message.Length}\n{message}\n");
        }
        for (var i = 0; i < lightweightTags; i++)
        {
            script.Append($"reset refs/tags/light-{i}\nfrom :{branchMarks[(i * 7) % branchMarks.Count]}\n\n");
        }
        var path = bare + ".fi";
        await File.WriteAllTextAsync(path, script.ToString());
        var run = await ProcessRunner.RunAsync("sh", ["-c", $"git -C '{bare}' fast-import --quiet < '{path}'"], TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.Describe());
        TempGitRepo.Run(bare, "repack", "-a", "-d", "-q");
    }
}
