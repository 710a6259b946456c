using System.Net;
using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.Indexer.Tests.Profiles;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>Users learnt from BEP 44 puts that reach the crawler's own DHT node (real nodes on loopback, both providers).</summary>
public sealed class PutDiscoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_profile_put_at_our_node_becomes_a_crawl_job_and_is_stored_after_its_own_DHT_get(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var work = new TempDirectory("put-discovery");
        using var cts = new CancellationTokenSource(Timeout);
        await using var crawlerNode = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, "crawler"), Bind = IPAddress.Loopback, Bootstrap = [],
        }, null, cts.Token);
        // A departed node: known to the publisher, gone before it puts.
        var departed = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, "departed"), Bind = IPAddress.Loopback, Bootstrap = [$"127.0.0.1:{crawlerNode.Dht.LocalEndPoint.Port}"],
        }, null, cts.Token);
        await departed.Joined.WaitAsync(cts.Token);
        await using var publisher = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, "publisher"), Bind = IPAddress.Loopback,
            Bootstrap = [$"127.0.0.1:{crawlerNode.Dht.LocalEndPoint.Port}", $"127.0.0.1:{departed.Dht.LocalEndPoint.Port}"],
        }, null, cts.Token);
        await publisher.Joined.WaitAsync(cts.Token);
        await departed.DisposeAsync();

        using var user = UserIdentity.Generate();
        var profile = new UserProfile { Name = "Never registered" };
        var commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");
        profile.Repositories["hello"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
        await publisher.PublishProfileAsync(user, profile, 7, cts.Token);

        var statistics = new DiscoveryStatistics();
        var options = Options.Create(new DiscoveryOptions());
        var runner = ProfileCrawlerTests.Runner(database);
        var puts = new PutDiscovery(database.Factory, runner, statistics, options, TimeProvider.System, NullLogger<PutDiscovery>.Instance);
        var crawler = new ProfileCrawler(new NodeHost(Options.Create(new NodeHostOptions()), NullLoggerFactory.Instance),
            new ProfileStore(database.Factory, TimeProvider.System), new ProfileCrawlQueue(), database.Factory, runner,
            Options.Create(new ProfileCrawlerOptions()), TimeProvider.System, NullLogger<ProfileCrawler>.Instance, puts);

        // The crawler's node holds the item; a scan plans it (and nothing else: the node's own items have no profile here).
        Assert.Equal(1, await puts.ScanAsync(crawlerNode, cts.Token));
        Assert.Equal(0, await puts.ScanAsync(crawlerNode, cts.Token)); // handled once
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            Assert.Equal(user.UserId.ToString(), (await db.Jobs.SingleAsync(j => j.Kind == JobKinds.ProfileCrawl, cts.Token)).Key);
            Assert.Equal(0, await db.Users.CountAsync(cts.Token)); // nothing stored before the DHT get
        }

        Assert.Equal(1, await crawler.RunBatchAsync(crawlerNode, cts.Token));
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            var stored = await db.Users.Include(u => u.Repositories).SingleAsync(cts.Token);
            Assert.Equal(user.UserId.ToString(), stored.UserId);
            Assert.Equal(7, stored.Seq);
            Assert.Equal("hello", Assert.Single(stored.Repositories).Name);
        }
        Assert.Equal(1, statistics.Get(DiscoverySource.Put, DiscoveryOutcome.Seen));
        Assert.Equal(1, statistics.Get(DiscoverySource.Put, DiscoveryOutcome.Lookup));
        Assert.Equal(1, statistics.Get(DiscoverySource.Put, DiscoveryOutcome.Stored));

        // A newer seq put later is planned again (the user is known at seq 7).
        profile.Name = "Changed";
        await publisher.PublishProfileAsync(user, profile, 8, cts.Token);
        Assert.Equal(1, await puts.ScanAsync(crawlerNode, cts.Token));
    }
}
