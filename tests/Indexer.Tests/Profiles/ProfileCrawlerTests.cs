using System.Net;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Swarm;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Swarm;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Tests.Profiles;

/// <summary>The profile crawler against real nodes on loopback and a real database (both providers).</summary>
public sealed class ProfileCrawlerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _work = new("crawler");
    private readonly List<GitTorrentNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<GitTorrentNode> StartAsync(string name, params GitTorrentNode[] bootstrap)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(_work.Path, name),
            Bind = IPAddress.Loopback,
            Bootstrap = [.. bootstrap.Select(b => $"127.0.0.1:{b.Dht.LocalEndPoint.Port}")],
            FetchTimeout = TimeSpan.FromSeconds(30),
        }, null, cts.Token);
        _nodes.Add(node);
        await node.Joined.WaitAsync(Timeout);
        return node;
    }

    private static ProfileCrawler Crawler(NameTestDatabase database) =>
        new(new SwarmNodeHost(Options.Create(new SwarmNodeOptions()), NullLoggerFactory.Instance),
            new ProfileStore(database.Factory, TimeProvider.System), new ProfileCrawlQueue(), database.Factory, Runner(database),
            Options.Create(new ProfileCrawlerOptions { Parallelism = 16 }), TimeProvider.System, NullLogger<ProfileCrawler>.Instance);

    internal static JobRunner Runner(NameTestDatabase database)
    {
        var options = Options.Create(new JobOptions { Replica = "test" });
        return new JobRunner(new JobStore(database.Factory, options, TimeProvider.System), options, TimeProvider.System, NullLogger<JobRunner>.Instance);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, 20)]
    [InlineData(DatabaseProvider.Postgres, 100)]
    public async Task Every_published_profile_is_indexed_and_forged_or_older_ones_never_replace_it(DatabaseProvider provider, int users)
    {
        await using var database = await NameTestDatabase.CreateAsync(provider);
        var publisher = await StartAsync("publisher");
        var crawlerNode = await StartAsync("crawler", publisher);
        await publisher.Dht.AddNode(crawlerNode.Dht.LocalEndPoint).WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        var commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");

        var identities = Enumerable.Range(0, users).Select(_ => UserIdentity.Generate()).ToList();
        await Parallel.ForEachAsync(identities.Select((id, i) => (id, i)), cts.Token, async (entry, ct) =>
        {
            var profile = new UserProfile { Name = $"User {entry.i} <b>" };
            profile.Repositories[$"repo{entry.i}"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
            await publisher.PublishProfileAsync(entry.id, profile, 10, ct);
        });
        // One user publishes a profile too large for one item: it travels as a manifest torrent.
        var big = new UserProfile { Name = "Big" };
        for (var i = 0; i < 50; i++)
        {
            big.Repositories[$"project-{i}"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
        }
        await publisher.PublishProfileAsync(identities[0], big, 11, cts.Token);

        var crawler = Crawler(database);
        await crawler.CrawlAsync(crawlerNode, [.. identities.Select(i => i.UserId)], cts.Token);

        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            Assert.Equal(users, await db.Users.CountAsync(cts.Token));
            var first = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs)
                .SingleAsync(u => u.UserId == identities[0].UserId.ToString(), cts.Token);
            Assert.Equal(11, first.Seq);
            Assert.Equal(50, first.Repositories.Count);
            Assert.Equal("refs/heads/main", first.Repositories[0].Head);
            var other = await db.Users.Include(u => u.Repositories).SingleAsync(u => u.UserId == identities[1].UserId.ToString(), cts.Token);
            Assert.Equal("User 1 <b>", other.DisplayName);
            Assert.Equal("repo1", Assert.Single(other.Repositories).Name);
        }

        // A forged item (valid shape, signature by another key) and an older seq are rejected by the store.
        var victim = identities[1];
        var forgedProfile = new UserProfile { Name = "forged" };
        var forgedValue = new BString(forgedProfile.ToJson()).Encode();
        using var attacker = UserIdentity.Generate();
        var forged = new SignedProfile(victim.UserId, forgedProfile, 99, victim.PublicKey,
            attacker.Sign(Bep44.SignatureBuffer([], 99, forgedValue)), forgedValue);
        var olderValue = new BString(new UserProfile { Name = "older" }.ToJson()).Encode();
        var older = new SignedProfile(victim.UserId, new UserProfile { Name = "older" }, 5, victim.PublicKey,
            victim.Sign(Bep44.SignatureBuffer([], 5, olderValue)), olderValue);
        var store = new ProfileStore(database.Factory, TimeProvider.System);
        var result = await store.StoreAsync([forged, older], cts.Token);
        Assert.Equal(1, result.Rejected);
        Assert.Equal(0, result.Stored);
        Assert.Equal(1, result.Unchanged);
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            var stored = await db.Users.SingleAsync(u => u.UserId == victim.UserId.ToString(), cts.Token);
            Assert.Equal("User 1 <b>", stored.DisplayName);
            Assert.Equal(10, stored.Seq);
        }

        // A newer profile replaces repositories: the removed one disappears, refs follow.
        var newer = new UserProfile { Name = "Renamed" };
        newer.Repositories["other"] = new(StringComparer.Ordinal) { ["refs/heads/dev"] = commit };
        await publisher.PublishProfileAsync(victim, newer, 12, cts.Token);
        await crawler.CrawlAsync(crawlerNode, [victim.UserId], cts.Token);
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            var stored = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs)
                .SingleAsync(u => u.UserId == victim.UserId.ToString(), cts.Token);
            Assert.Equal("Renamed", stored.DisplayName);
            var repository = Assert.Single(stored.Repositories);
            Assert.Equal("other", repository.Name);
            Assert.Equal("refs/heads/dev", repository.Head);
            Assert.Equal("refs/heads/dev", Assert.Single(repository.Refs).Name);
        }
        Assert.Equal(0, crawler.NotFound);
        foreach (var identity in identities)
        {
            identity.Dispose();
        }
    }

    [Fact]
    public async Task Ids_without_a_profile_are_counted_and_backed_off()
    {
        await using var database = await NameTestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var a = await StartAsync("a");
        var b = await StartAsync("b", a);
        using var cts = new CancellationTokenSource(Timeout);
        var crawler = Crawler(database);
        await crawler.CrawlAsync(b, [Hash20.Random(), Hash20.Random()], cts.Token);
        Assert.Equal(2, crawler.NotFound);
        await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
        Assert.Equal(0, await db.Users.CountAsync(cts.Token));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _work.Dispose();
    }
}
