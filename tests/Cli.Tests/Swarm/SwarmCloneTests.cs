using GitTorrent.Engine;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Swarm;

/// <summary>git clone gittorrent:// against real daemons in a private DHT (issue acceptance, loopback only).</summary>
public sealed class SwarmCloneTests
{
    private static void AssertOk(GitTorrent.Tests.Shared.ProcessRunner run) => Assert.True(run.ExitCode == 0, run.Describe());

    [Fact]
    public async Task Clone_by_key_fetch_new_commits_push_and_clone_from_a_second_home()
    {
        await using var net = await PrivateNetwork.StartAsync();
        var aliceHome = net.NewHome("alice");
        var alice = await net.KeygenAsync(aliceHome);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        Directory.CreateDirectory(repos);
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
        Assert.Contains(foreign.StandardError, l => l.Contains("not your user id", StringComparison.Ordinal));
        Assert.NotEqual(alice, bob);
    }

    /// <summary>The pack size the helper reports ("Received N pack bytes ...").</summary>
    internal static long ReceivedBytes(GitTorrent.Tests.Shared.ProcessRunner run)
    {
        var line = run.StandardError.LastOrDefault(l => l.StartsWith("Received ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("no 'Received' line: " + run.Describe());
        return long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
