using GitTorrent.Engine;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>git clone gittorrent:// against real daemons in a private DHT (issue acceptance, loopback only).</summary>
public sealed class SwarmCloneTests
{
    private static void AssertOk(GitTorrent.TestSupport.ProcessRunner run) => Assert.True(run.ExitCode == 0, run.Describe());

    [Fact]
    public async Task Clone_by_key_fetch_new_commits_push_and_clone_from_a_second_home()
    {
        await using var net = await PrivateNetwork.StartAsync();
        var (aliceHome, alice, repos) = await AliceAsync(net);
        using var source = new TempGitRepo(path: Path.Combine(repos, "proj"));
        for (var i = 0; i < 10; i++)
        {
            source.Commit($"data{i}.txt", string.Concat(Enumerable.Range(0, 100).Select(n => $"{i}.{n} {Guid.NewGuid()}\n")));
        }
        source.Git("tag", "v1");
        var tip = source.Commit();
        await net.StartDaemonAsync(aliceHome, repos);
        await net.WaitForProfileAsync(alice, json => json.Contains(tip.ToString(), StringComparison.Ordinal), "with the first tip");

        // Clone by key: refs from the signed profile, objects from the daemon over ut_gittorrent.
        var bobHome = net.NewHome("bob");
        var clone = Path.Combine(net.Work.Path, "bob-clone");
        var run = await net.GitAsync(bobHome, "clone", $"gittorrent://{alice}/proj", clone);
        AssertOk(run);
        Assert.DoesNotContain(run.StandardError, l => l.Contains("origin", StringComparison.Ordinal));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip.ToString(), TempGitRepo.Run(clone, "rev-parse", "HEAD").Trim());
        Assert.Equal(source.Git("rev-parse", "v1"), TempGitRepo.Run(clone, "rev-parse", "v1"));
        var fullPack = ReceivedBytes(run);

        // New commits are noticed without a restart; a fetch moves only the new objects.
        var next = source.Commit("small.txt", "one more line\n");
        await net.WaitForProfileAsync(alice, json => json.Contains(next.ToString(), StringComparison.Ordinal), "with the new tip");
        var fetch = await net.GitAsync(bobHome, "-C", clone, "fetch", "origin");
        AssertOk(fetch);
        Assert.Equal(next.ToString(), TempGitRepo.Run(clone, "rev-parse", "origin/main").Trim());
        Assert.True(ReceivedBytes(fetch) * 20 < fullPack, $"incremental {ReceivedBytes(fetch)} vs full {fullPack}");
        TempGitRepo.Run(clone, "fsck", "--strict");

        // Alice pushes a new branch from another checkout into her store; Carol clones it.
        using var work = new TempGitRepo();
        var pushed = work.Commit("pushed.txt", "pushed\n");
        var push = await net.GitAsync(aliceHome, "-C", work.Root, "push", $"gittorrent://{alice}/fresh", "main:refs/heads/main");
        AssertOk(push);
        Assert.True(Directory.Exists(Path.Combine(aliceHome, "repos", "fresh.git")));
        await net.WaitForProfileAsync(alice, json => json.Contains(pushed.ToString(), StringComparison.Ordinal), "with the pushed tip");
        var carolHome = net.NewHome("carol");
        var carolClone = Path.Combine(net.Work.Path, "carol-clone");
        AssertOk(await net.GitAsync(carolHome, "clone", $"gittorrent://{alice}/fresh", carolClone));
        TempGitRepo.Run(carolClone, "fsck", "--strict");
        Assert.Equal(pushed.ToString(), TempGitRepo.Run(carolClone, "rev-parse", "HEAD").Trim());

        // Pushing to someone else's id is refused with a clear message.
        var bob = await net.KeygenAsync(bobHome);
        var foreign = await net.GitAsync(bobHome, "-C", work.Root, "push", $"gittorrent://{alice}/fresh", "main:refs/heads/other");
        Assert.NotEqual(0, foreign.ExitCode);
        Assert.Contains(foreign.StandardError, l => l.Contains($"{alice} is not your user id ({bob})", StringComparison.Ordinal));
        Assert.Equal("", TempGitRepo.Run(Path.Combine(aliceHome, "repos", "fresh.git"), "for-each-ref", "refs/heads/other").Trim());
        Assert.False(Directory.Exists(Path.Combine(bobHome, "repos", "fresh.git")), "the refused push still wrote into bob's store");
    }

    [Fact]
    public async Task Clone_of_many_unmerged_branches_and_tags_comes_as_one_pack()
    {
        await using var net = await PrivateNetwork.StartAsync();
        var (aliceHome, alice, repos) = await AliceAsync(net);
        using var source = new TempGitRepo(path: Path.Combine(repos, "proj"));
        for (var i = 0; i < 6; i++)
        {
            source.Commit($"base{i}.txt", string.Concat(Enumerable.Range(0, 200).Select(n => $"{i}.{n} {Guid.NewGuid()}\n")));
        }
        // 14 branches off different points of main, none merged; a tag on some of them, and one on main.
        for (var b = 0; b < 14; b++)
        {
            source.Git("checkout", "-q", "-b", $"topic/{b}", $"main~{b % 5}");
            source.Commit($"topic{b}.txt", $"topic {b} {Guid.NewGuid()}\n");
            source.Commit($"topic{b}.txt", $"topic {b} again {Guid.NewGuid()}\n");
            if (b % 4 == 0)
            {
                source.Git("tag", $"t{b}", "HEAD~1");
            }
        }
        source.Git("checkout", "-q", "main");
        source.Git("tag", "v1", "main~2");
        var tip = source.Commit("last.txt", "last\n");
        await net.StartDaemonAsync(aliceHome, repos);
        // Too many refs for the 1,000-byte item: the profile points at a manifest torrent (docs/PROTOCOL.md section 3).
        await net.WaitForProfileAsync(alice, json => json.Contains("\"manifest\"", StringComparison.Ordinal), "with a manifest");

        var bobHome = net.NewHome("bob");
        var clone = Path.Combine(net.Work.Path, "bob-clone");
        var run = await net.GitAsync(bobHome, "clone", "--mirror", "-v", $"gittorrent://{alice}/proj", clone);
        AssertOk(run);
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(Refs(source.Root), Refs(clone));
        // One DHT lookup and one pack: main's tip asked with the other 19 tips (14 branches, the commits of the tags t0,
        // t4, t8, t12 and v1) as more wants.
        Assert.Single(run.StandardError, l => l.StartsWith("Looking for peers of ", StringComparison.Ordinal));
        Assert.Single(run.StandardError, l => l.StartsWith("pack torrent ", StringComparison.Ordinal));
        Assert.True(run.StandardError.Contains("Also received 19 more tip(s) in the same pack"), run.Describe());
        Assert.DoesNotContain(run.StandardError, l => l.Contains("more tip(s) from the swarm", StringComparison.Ordinal));
        Assert.DoesNotContain(run.StandardError, l => l.Contains("origin", StringComparison.OrdinalIgnoreCase));

        // A fetch after new commits on several branches: one thin pack for all of them.
        var published = "";
        await net.WaitForProfileAsync(alice, json => (published = json).Length > 0, "at all");
        // Three branches move in one ref transaction, so the daemon never publishes a state with only some of them.
        var moves = new[] { "topic/5", "topic/9", "main" }.Select(branch =>
            $"update refs/heads/{branch} {source.Git("commit-tree", $"{branch}^{{tree}}", "-p", branch, "-m", $"more on {branch}").Trim()}");
        var transaction = string.Join("\n", ["start", .. moves, "commit"]) + "\n";
        var update = await GitTorrent.TestSupport.ProcessRunner.RunAsync("sh",
            ["-c", $"printf '%s' '{transaction}' | git -C '{source.Root}' update-ref --stdin"], TimeSpan.FromSeconds(30));
        AssertOk(update);
        await net.WaitForProfileAsync(alice, json => json != published, "pointing at a new manifest");
        var fetch = await net.GitAsync(bobHome, "-C", clone, "fetch", "-v");
        AssertOk(fetch);
        Assert.Equal(Refs(source.Root), Refs(clone));
        Assert.Single(fetch.StandardError, l => l.StartsWith("pack torrent ", StringComparison.Ordinal));
        Assert.True(fetch.StandardError.Contains("Also received 2 more tip(s) in the same pack"), fetch.Describe());
        TempGitRepo.Run(clone, "fsck", "--strict");

        static string Refs(string repository) =>
            TempGitRepo.Run(repository, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags");
    }

    [Fact]
    public async Task Clone_of_more_tips_than_one_request_names_takes_one_more_request()
    {
        await using var net = await PrivateNetwork.StartAsync();
        var (aliceHome, alice, repos) = await AliceAsync(net);
        using var source = new TempGitRepo(path: Path.Combine(repos, "proj"));
        var tip = source.Commit("base.txt", "base\n");
        // 1,100 branches, one commit each on top of main: more tips than one request holds (sha + 1,024 wants).
        var script = new System.Text.StringBuilder();
        for (var i = 0; i < 1100; i++)
        {
            var message = $"branch {i}\n";
            script.Append($"commit refs/heads/b/{i}\ncommitter A <a@example.org> 1700000000 +0000\ndata {message.Length}\n{message}from {tip}\n\n");
        }
        var scriptPath = Path.Combine(net.Work.Path, "branches.fi");
        await File.WriteAllTextAsync(scriptPath, script.ToString());
        AssertOk(await GitTorrent.TestSupport.ProcessRunner.RunAsync("sh",
            ["-c", $"git -C '{source.Root}' fast-import --quiet < '{scriptPath}'"], TimeSpan.FromSeconds(60)));
        await net.StartDaemonAsync(aliceHome, repos);
        await net.WaitForProfileAsync(alice, json => json.Contains("\"manifest\"", StringComparison.Ordinal), "with a manifest");

        var clone = Path.Combine(net.Work.Path, "bob-clone");
        var run = await net.GitAsync(net.NewHome("bob"), "clone", "--mirror", "-v", $"gittorrent://{alice}/proj", clone);
        AssertOk(run);
        Assert.Equal(Refs(source.Root), Refs(clone));
        TempGitRepo.Run(clone, "fsck", "--strict");
        // main with 1,024 branches, then the remaining 76 from the same peer: two packs, no tip fetched on its own.
        Assert.True(run.StandardError.Count(l => l.StartsWith("pack torrent ", StringComparison.Ordinal)) == 2, run.Describe());
        Assert.Contains("Also received 1024 more tip(s) in the same pack", run.StandardError);
        Assert.Contains("Also received 75 more tip(s) in the same pack", run.StandardError);
        Assert.DoesNotContain(run.StandardError, l => l.Contains("more tip(s) from the swarm", StringComparison.Ordinal));

        static string Refs(string repository) =>
            TempGitRepo.Run(repository, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads");
    }

    /// <summary>Alice: a home with a key, and the folder her daemon will serve.</summary>
    private static async Task<(string Home, Hash20 Id, string Repos)> AliceAsync(PrivateNetwork net)
    {
        var home = net.NewHome("alice");
        var id = await net.KeygenAsync(home);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        Directory.CreateDirectory(repos);
        return (home, id, repos);
    }

    /// <summary>The pack size the helper reports ("Received N pack bytes ...").</summary>
    internal static long ReceivedBytes(GitTorrent.TestSupport.ProcessRunner run)
    {
        var line = run.StandardError.LastOrDefault(l => l.StartsWith("Received ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("no 'Received' line: " + run.Describe());
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
