using System.Net;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// A user known to the portal publishes a profile; the portal crawls it, fetches the repository from the swarm into
/// its store, and serves it over smart HTTP (issue acceptance: HTTP clone of swarm-fetched repositories).
/// </summary>
public sealed class SwarmFetchedRepositoryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [MemberData(nameof(PortalStorage.Providers), MemberType = typeof(PortalStorage))]
    public async Task A_repository_from_a_crawled_profile_is_fetched_from_the_swarm_and_clones_over_http(string provider)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("swarm-fetched");
        await using var swarm = await LoopbackSwarm.StartAsync(Path.Combine(work.Path, "alice"), cts.Token);
        var alice = swarm.Seeder;
        {
            using var source = new TempGitRepo();
            for (var i = 0; i < 3; i++)
            {
                source.Commit($"f{i}.txt", string.Concat(Enumerable.Range(0, 100).Select(n => $"{i}.{n} {Guid.NewGuid()}\n")));
            }
            // An unmerged branch: it comes in the same pack as main (asked as a more want).
            source.Git("checkout", "-q", "-b", "side", "HEAD~1");
            var side = source.Commit("side.txt", "side\n").ToString();
            source.Git("checkout", "-q", "main");
            var tip = source.Git("rev-parse", "HEAD").Trim();
            alice.SetRepositories([new ServedRepository("proj", source.GitDir)]);
            await alice.AnnounceTipsAsync(cts.Token);
            using var identity = UserIdentity.Generate();
            var profile = await ProfileBuilder.BuildAsync(alice.Repositories, "Alice", null, cts.Token);
            await alice.PublishProfileAsync(identity, profile, 10, cts.Token);

            // The portal knows Alice's id (as if added on the portal) but nothing of her profile yet.
            await using var storage = PortalStorage.For(provider);
            Assert.Equal(0, (await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Timeout)).ExitCode);
            await using (var db = storage.OpenFactory().CreateDbContext())
            {
                db.Users.Add(PortalTestData.KnownUser(identity, DateTimeOffset.UtcNow));
                // Alice's name, as the indexer stores a settled CLAIM and its tip (the portal resolves names for the name form).
                db.NameRegistrations.Add(new NameRegistration
                {
                    Name = "alice",
                    Kind = NameRegistrationKind.Claim,
                    KeyHash = identity.UserId.ToString(),
                    Txid = new string('a', 64),
                    Vout = 0,
                    BlockHeight = 100,
                    BlockHash = new string('b', 64),
                    TxIndex = 1,
                    Status = NameRegistrationStatus.Settled,
                    Valid = true,
                    Reason = "owner",
                });
                // The indexed tip: block 100 + 144 is final at 6 confirmations, so the CLAIM has settled.
                db.ChainStates.Add(new ChainState { Chain = "main", Height = 300, Hash = new string('c', 64), UpdatedAt = DateTimeOffset.UtcNow });
                await db.SaveChangesAsync(cts.Token);
            }
            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__Bootstrap"] = swarm.Bootstrap,
            }).WaitAsync(Timeout);

            // Crawled, fetched from Alice's node, and browsable.
            var page = $"/u/{identity.UserId}/proj/commits/main";
            await portal.WaitForPageAsync(page, tip[..12], Timeout);
            Assert.True(alice.GetStatistics().Uploaded > 0, "the pack did not come from Alice's node");

            // Cloneable over smart HTTP from the portal, fsck clean.
            var target = Path.Combine(work.Path, "clone");
            await Task.Run(() => TempGitRepo.Run(work.Path, "clone", "-q",
                new Uri(portal.Http.BaseAddress!, $"/{identity.UserId}/proj.git").ToString(), target)).WaitAsync(Timeout);
            TempGitRepo.Run(target, "fsck", "--strict");
            Assert.Equal(tip, TempGitRepo.Run(target, "rev-parse", "HEAD").Trim());
            Assert.Equal(side, TempGitRepo.Run(target, "rev-parse", "origin/side").Trim());
            Assert.Single(Directory.GetFiles(alice.Packs.Folder, "*.pack"));

            // The name form: 'alice' resolved by the portal, then the profile from the DHT and the pack from the swarm.
            var env = HelperEnvironment.For(Path.Combine(work.Path, "home"), swarm.Bootstrap, resolver: portal.Http.BaseAddress!.ToString());
            var gittorrent = RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");
            var resolved = await ProcessRunner.RunAsync("dotnet", [gittorrent, "resolve", "alice"], Timeout, env);
            Assert.True(resolved.ExitCode == 0, resolved.Describe());
            Assert.Equal([identity.UserId.ToString()], resolved.StandardOutput);
            var unknown = await ProcessRunner.RunAsync("dotnet", [gittorrent, "resolve", "nobody"], Timeout, env);
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains(unknown.StandardError, l => l.Contains("'nobody' is not registered", StringComparison.Ordinal));

            var byName = Path.Combine(work.Path, "by-name");
            var clone = await ProcessRunner.RunAsync("git", ["clone", "gittorrent://alice/proj", byName], Timeout, env);
            Assert.True(clone.ExitCode == 0, clone.Describe());
            Assert.Contains(clone.StandardError, l => l.Contains($"Resolved 'alice' to {identity.UserId}", StringComparison.Ordinal));
            TempGitRepo.Run(byName, "fsck", "--strict");
            Assert.Equal(tip, TempGitRepo.Run(byName, "rev-parse", "HEAD").Trim());
            Assert.Equal(side, TempGitRepo.Run(byName, "rev-parse", "origin/side").Trim());
            // The same request as the portal's (main with side as a more want, no haves): served from the cache.
            Assert.Single(Directory.GetFiles(alice.Packs.Folder, "*.pack"));
        }
    }

    /// <summary>
    /// The fetcher's retry path: a crawled repository nobody serves fails (logged, shown as waiting for a seeder) and is
    /// tried again after <c>SwarmFetchRetry</c>; once a seeder announces its tip the next try brings it in.
    /// </summary>
    [Fact]
    public async Task A_repository_nobody_serves_is_tried_again_and_arrives_once_a_seeder_appears()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("swarm-retry");
        await using var swarm = await LoopbackSwarm.StartAsync(Path.Combine(work.Path, "alice"), cts.Token);
        var alice = swarm.Seeder;
        using var source = new TempGitRepo();
        var tip = source.Commit("a.txt", string.Concat(Enumerable.Range(0, 200).Select(n => $"{n} {Guid.NewGuid()}\n"))).ToString();
        ServedRepository[] served = [new ServedRepository("proj", source.GitDir)];
        // The profile names the repository, but no node serves it yet.
        using var identity = UserIdentity.Generate();
        var profile = await ProfileBuilder.BuildAsync(served, "Alice", null, cts.Token);
        await alice.PublishProfileAsync(identity, profile, 10, cts.Token);

        await using var storage = PortalStorage.Sqlite();
        var factory = await storage.MigrateAsync(Timeout);
        await using (var db = factory.CreateDbContext())
        {
            db.Users.Add(PortalTestData.KnownUser(identity, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(cts.Token);
        }
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Bootstrap"] = swarm.Bootstrap,
            ["GitTorrent__SwarmTimeout"] = "00:00:03",
            ["GitTorrent__SwarmFetchRetry"] = "00:00:02",
        }).WaitAsync(Timeout);

        var failure = $"Could not fetch {identity.UserId}/proj (1 time(s) in a row";
        await Condition.WaitUntilAsync(() => portal.Runner.AllOutput.Any(l => l.Contains(failure, StringComparison.Ordinal)),
            "the portal's first failed fetch", Timeout);
        Assert.False(Directory.Exists(Path.Combine(storage.DataDirectory, "repos", identity.UserId.ToString(), "proj.git")),
            "nothing arrived, so nothing is in the store");
        await portal.WaitForPageAsync($"/u/{identity.UserId}/proj", "waiting for a seeder", Timeout);

        alice.SetRepositories(served);
        Assert.True(await alice.AnnounceTipsAsync(cts.Token) > 0);
        await portal.WaitForPageAsync($"/u/{identity.UserId}/proj/commits/main", tip[..12], Timeout);
        Assert.True(alice.GetStatistics().Uploaded > 0, "the pack did not come from Alice's node");
        Assert.Contains(portal.Runner.AllOutput, l => l.Contains($"Fetched {identity.UserId}/proj from the swarm", StringComparison.Ordinal));
    }
}
