using System.Net;
using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Profiles;
using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Node;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.Indexer.Tests.Profiles;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>
/// Users found by asking other DHT nodes for samples of the profile items they hold (<see cref="SampleDiscovery"/>):
/// real nodes on loopback, one departed; every user is stored only after the crawler's own DHT get; a node that
/// answers with random keys costs at most the budget's lookups and stores nothing.
/// </summary>
public sealed class SampleDiscoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Users_whose_puts_never_reached_our_node_are_found_through_samples(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var work = new TempDirectory("sample-discovery");
        using var cts = new CancellationTokenSource(Timeout);
        var nodes = new List<GitTorrentNode>();
        try
        {
            var crawlerNode = await StartAsync(work, "crawler", [], nodes, cts.Token);
            for (var i = 0; i < 12; i++)
            {
                var bootstrap = nodes.OrderBy(_ => Random.Shared.Next()).Take(3).Select(n => $"127.0.0.1:{n.Dht.LocalEndPoint.Port}").ToArray();
                await StartAsync(work, $"node{i}", bootstrap, nodes, cts.Token);
            }
            // A departed node: in routing tables, gone before the walk.
            var departed = nodes[5];
            nodes.Remove(departed);
            await departed.DisposeAsync();

            // Ten users, and more (at most 30 in all) while every put has reached our node too: a put lands on the 8
            // nodes closest to its key, so ours holds each with a chance of about 8 in 12, and all ten about 2 runs in 100.
            var users = new List<Hash20>();
            List<Hash20> onlyElsewhere;
            do
            {
                var i = users.Count;
                using var user = UserIdentity.Generate();
                var profile = new UserProfile { Name = $"Sampled {i}" };
                var commit = Hash20.Random();
                profile.Repositories["repo"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
                await nodes[1 + (i % (nodes.Count - 1))].PublishProfileAsync(user, profile, 3, cts.Token);
                users.Add(user.UserId);
                var heldByUs = (await crawlerNode.Dht.GetStoredMutableItemsAsync(1000, cts.Token)).Select(item => item.Target).ToHashSet();
                onlyElsewhere = users.Where(u => !heldByUs.Contains(u)).ToList();
            }
            while (users.Count < 10 || (onlyElsewhere.Count == 0 && users.Count < 30));
            Assert.NotEmpty(onlyElsewhere);

            var statistics = new DiscoveryStatistics();
            var (samples, crawler) = Discovery(database, statistics, new DiscoveryOptions());

            // One walk asks every node of the routing table; the keys they hold become crawl jobs, nothing is stored yet.
            var planned = await samples.WalkAsync(crawlerNode, cts.Token);
            Assert.True(planned >= users.Count, $"{planned} crawls planned");
            await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
            {
                var jobs = await db.Jobs.Where(j => j.Kind == JobKinds.ProfileCrawl).Select(j => j.Key).ToListAsync(cts.Token);
                Assert.All(users, u => Assert.Contains(u.ToString(), jobs));
                Assert.Equal(0, await db.Users.CountAsync(cts.Token));
            }
            Assert.Equal(0, await samples.WalkAsync(crawlerNode, cts.Token)); // asked again only after the interval

            while (await crawler.RunBatchAsync(crawlerNode, cts.Token) > 0)
            {
            }
            await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
            {
                var stored = await db.Users.Select(u => u.UserId).ToListAsync(cts.Token);
                Assert.All(users, u => Assert.Contains(u.ToString(), stored));
            }
            Assert.True(statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.Stored) >= users.Count);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_node_answering_with_random_keys_costs_at_most_the_budget_and_stores_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var work = new TempDirectory("sample-liar");
        using var cts = new CancellationTokenSource(Timeout);
        var nodes = new List<GitTorrentNode>();
        using var liar = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var lying = LieAsync(liar, stop.Token);
        try
        {
            var crawlerNode = await StartAsync(work, "crawler", [], nodes, cts.Token);
            var statistics = new DiscoveryStatistics();
            var (samples, crawler) = Discovery(database, statistics,
                new DiscoveryOptions { DiscoverySamplesPerMinute = 30, DiscoverySampleMinInterval = TimeSpan.FromSeconds(1) });
            samples.AddNodes([new DhtContact(Hash20.Random(), liar.LocalEndPoint)]);

            // Three walks, a second apart: 150 random keys named, 30 crawls at most.
            var planned = 0;
            for (var walk = 0; walk < 3; walk++)
            {
                planned += await samples.WalkAsync(crawlerNode, cts.Token);
                await Task.Delay(TimeSpan.FromSeconds(1.1), cts.Token);
            }
            Assert.Equal(30, planned);
            Assert.True(statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.Seen) >= 100);
            Assert.True(statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.RateLimited) >= 1);
            while (await crawler.RunBatchAsync(crawlerNode, cts.Token) > 0)
            {
            }
            await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
            Assert.Equal(0, await db.Users.CountAsync(cts.Token));
            Assert.Equal(30, await db.Jobs.CountAsync(j => j.Kind == JobKinds.ProfileCrawl, cts.Token));
            Assert.Equal(30, statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.NotFound));
        }
        finally
        {
            await stop.CancelAsync();
            await lying.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeout);
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>The sample walk and the crawler that settles its crawls, on one database (the walk is driven by the test).</summary>
    private static (SampleDiscovery Samples, ProfileCrawler Crawler) Discovery(TestDatabase database, DiscoveryStatistics statistics,
        DiscoveryOptions settings)
    {
        var runner = ProfileCrawlerTests.Runner(database);
        var host = new NodeHost(Options.Create(new NodeHostOptions()), NullLoggerFactory.Instance);
        var samples = new SampleDiscovery(host, database.Factory, runner, statistics, Options.Create(settings), TimeProvider.System,
            NullLogger<SampleDiscovery>.Instance);
        var crawler = new ProfileCrawler(host, new ProfileStore(database.Factory, TimeProvider.System), new ProfileCrawlQueue(),
            database.Factory, runner, Options.Create(new ProfileCrawlerOptions()), TimeProvider.System, NullLogger<ProfileCrawler>.Instance,
            samples: samples);
        return (samples, crawler);
    }

    private static async Task<GitTorrentNode> StartAsync(TempDirectory work, string name, string[] bootstrap, List<GitTorrentNode> nodes,
        CancellationToken cancellationToken)
    {
        var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, name), Bind = IPAddress.Loopback, Bootstrap = bootstrap,
        }, null, cancellationToken);
        nodes.Add(node);
        if (bootstrap.Length > 0)
        {
            await node.Joined.WaitAsync(cancellationToken);
        }
        return node;
    }

    /// <summary>Answers every <c>sample_items</c> query with 50 random keys (well formed, all lies).</summary>
    private static async Task LieAsync(RawKrpcClient liar, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var (query, from) = await liar.ReceiveQueryAsync(cancellationToken);
            if (query.Method != KrpcMethod.SampleItems)
            {
                continue;
            }
            var samples = new byte[50 * Hash20.Length];
            Random.Shared.NextBytes(samples);
            liar.Respond(query, from, new BDictionary { ["samples"] = samples, ["num"] = 50_000, ["interval"] = 0 });
        }
    }
}
