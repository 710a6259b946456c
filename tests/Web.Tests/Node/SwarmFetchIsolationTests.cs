using System.Net;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// Issue 11 item 5, the portal's side: one hostile profile does not stop the portal's swarm fetches. Mallory's profile
/// lists a repository nobody serves and one whose refs git will not write (a branch beside a folder of the same name);
/// Alice's repository is fetched all the same, and Mallory's are retried after growing waits.
/// </summary>
public sealed class SwarmFetchIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_hostile_profile_is_retried_with_backoff_while_other_repositories_arrive()
    {
        using var cts = new CancellationTokenSource(Timeout * 2);
        using var work = new TempDirectory("swarm-isolation");
        await using var dht = await PrivateDht.StartAsync(live: 2, departed: 2, cancellationToken: cts.Token);
        await using var seeder = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, "seeder"),
            Bind = IPAddress.Loopback,
            Bootstrap = dht.Bootstrap.Split(','),
        }, null, cts.Token);
        await seeder.Joined.WaitAsync(cts.Token);
        using var source = new TempGitRepo();
        var parent = source.Commit("a.txt", $"a {Guid.NewGuid()}\n").ToString();
        var tip = source.Commit("b.txt", $"b {Guid.NewGuid()}\n").ToString();
        seeder.SetRepositories([new ServedRepository("good", source.GitDir)]);
        await seeder.AnnounceTipsAsync(cts.Token);

        using var alice = UserIdentity.Generate();
        await seeder.PublishProfileAsync(alice, await ProfileBuilder.BuildAsync(seeder.Repositories, "Alice", null, cts.Token), 10, cts.Token);
        // Mallory's commits: "unserved" points at commits nobody has; "clash" at Alice's, under refs git cannot both write.
        using var mallory = UserIdentity.Generate();
        var hostile = new UserProfile { Name = "Mallory" };
        hostile.Repositories["unserved"] = new SortedDictionary<string, Hash20>(StringComparer.Ordinal)
        {
            ["refs/heads/main"] = Hash20.Random(),
        };
        hostile.Repositories["clash"] = new SortedDictionary<string, Hash20>(StringComparer.Ordinal)
        {
            ["refs/heads/main"] = Hash20.Parse(tip),
            ["refs/heads/x"] = Hash20.Parse(parent),
            ["refs/heads/x/y"] = Hash20.Parse(tip),
        };
        await seeder.PublishProfileAsync(mallory, hostile, 10, cts.Token);

        await using var storage = PortalStorage.Sqlite();
        Assert.Equal(0, (await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Timeout)).ExitCode);
        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            // Mallory was seen last, so the old order (most recently updated first) put her repositories first.
            db.Users.Add(PortalTestData.KnownUser(alice, DateTimeOffset.UtcNow.AddMinutes(-5)));
            db.Users.Add(PortalTestData.KnownUser(mallory, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(cts.Token);
        }
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Bootstrap"] = dht.Bootstrap,
            ["GitTorrent__SwarmFetchRetry"] = "00:00:01",
            ["GitTorrent__SwarmTimeout"] = "00:00:02",
        }).WaitAsync(Timeout);

        // Alice's repository arrives and is browsable.
        var page = $"/u/{alice.UserId}/good/commits/main";
        await portal.WaitForPageAsync(page, tip[..12], Timeout);

        // Mallory's unserved repository keeps failing, each wait twice the one before.
        var unserved = $"Could not fetch {mallory.UserId}/unserved";
        var deadline = DateTime.UtcNow + Timeout;
        while (!portal.Runner.StandardOutput.Any(l => l.Contains(unserved + " (3 time(s) in a row; next try in 4 s)", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no third failure of {unserved}:\n{portal.Runner.Describe()}");
            await Task.Delay(500);
        }
        Assert.Contains(portal.Runner.StandardOutput, l => l.Contains(unserved + " (1 time(s) in a row; next try in 1 s)", StringComparison.Ordinal));
        Assert.Contains(portal.Runner.StandardOutput, l => l.Contains(unserved + " (2 time(s) in a row; next try in 2 s)", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(storage.DataDirectory, "repos", mallory.UserId.ToString(), "unserved.git")));
        // The clash repository's objects came; the ref git will not write is named, the others are there.
        var clash = Path.Combine(storage.DataDirectory, "repos", mallory.UserId.ToString(), "clash.git");
        Assert.True(Directory.Exists(clash), portal.Runner.Describe());
        Assert.Equal(tip, TempGitRepo.Run(clash, "rev-parse", "refs/heads/main").Trim());
    }
}
