using System.Net;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using GitTorrent.Data.Entities;

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

    private static ProfileCrawler Crawler(TestDatabase database, ProfileCrawlQueue? queue = null, TimeProvider? time = null) =>
        new(new NodeHost(Options.Create(new NodeHostOptions()), NullLoggerFactory.Instance),
            new ProfileStore(database.Factory, time ?? TimeProvider.System), queue ?? new ProfileCrawlQueue(), database.Factory, Runner(database, time),
            Options.Create(new ProfileCrawlerOptions { Parallelism = 16 }), time ?? TimeProvider.System, NullLogger<ProfileCrawler>.Instance);

    internal static JobRunner Runner(TestDatabase database, TimeProvider? time = null)
    {
        var options = Options.Create(new JobOptions { Replica = "test" });
        return new JobRunner(new JobStore(database.Factory, options, time ?? TimeProvider.System), options, time ?? TimeProvider.System,
            NullLogger<JobRunner>.Instance);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, 20)]
    [InlineData(DatabaseProvider.Postgres, 100)]
    public async Task Every_published_profile_is_indexed_and_forged_or_older_ones_never_replace_it(DatabaseProvider provider, int users)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
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

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Ids_without_a_profile_are_counted_and_backed_off(DatabaseProvider provider)
    {
        // Jobs, leases and backoff run on fake time; the DHT runs on real time on loopback.
        await using var database = await TestDatabase.CreateAsync(provider);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var publisher = await StartAsync("a");
        var crawlerNode = await StartAsync("b", publisher);
        await publisher.Dht.AddNode(crawlerNode.Dht.LocalEndPoint).WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        using var present = UserIdentity.Generate();
        await publisher.PublishProfileAsync(present, new UserProfile { Name = "Present" }, 1, cts.Token);
        var absent = Hash20.Random();
        var registered = Hash20.Random(); // known only as the key hash of a name registration: discovered by PlanAsync
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            db.NameRegistrations.Add(new NameRegistration
            {
                Name = "somebody", Kind = NameRegistrationKind.Register, KeyHash = registered.ToString(), Txid = new string('a', 64),
            });
            await db.SaveChangesAsync(cts.Token);
        }
        var queue = new ProfileCrawlQueue();
        queue.Add(present.UserId);
        queue.Add(absent);
        var crawler = Crawler(database, queue, time);

        Assert.Equal(3, await crawler.PlanAsync(cts.Token));
        Assert.Equal(3, await crawler.RunBatchAsync(crawlerNode, cts.Token));
        Assert.Equal(2, crawler.NotFound);
        Assert.Equal(1, crawler.Stored);
        var start = time.GetUtcNow();
        await AssertJobAsync(present.UserId, start + TimeSpan.FromMinutes(30), 0);
        await AssertJobAsync(absent, start + TimeSpan.FromMinutes(1), 1);
        await AssertJobAsync(registered, start + TimeSpan.FromMinutes(1), 1);

        // Nothing is due before the backoff ends; then the two missing ids are tried again and wait twice as long.
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await crawler.RunBatchAsync(crawlerNode, cts.Token));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await crawler.RunBatchAsync(crawlerNode, cts.Token));
        Assert.Equal(4, crawler.NotFound);
        await AssertJobAsync(absent, start + TimeSpan.FromMinutes(1 + 2), 2);
        await AssertJobAsync(registered, start + TimeSpan.FromMinutes(1 + 2), 2);

        // Re-crawl: after the interval the found profile is fetched again and its newer seq replaces the stored one.
        await publisher.PublishProfileAsync(present, new UserProfile { Name = "Present again" }, 2, cts.Token);
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(3, await crawler.RunBatchAsync(crawlerNode, cts.Token));
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            var user = await db.Users.SingleAsync(cts.Token);
            Assert.Equal(present.UserId.ToString(), user.UserId);
            Assert.Equal("Present again", user.DisplayName);
            Assert.Equal(2, user.Seq);
        }
        await AssertJobAsync(absent, start + TimeSpan.FromMinutes(30 + 4), 3);

        async Task AssertJobAsync(Hash20 id, DateTimeOffset due, int attempts)
        {
            await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Kind == JobKinds.ProfileCrawl && j.Key == id.ToString(), cts.Token);
            Assert.Equal(due, job.DueAt);
            Assert.Equal(attempts, job.Attempts);
        }
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
