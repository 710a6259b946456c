using System.Diagnostics;
using System.Net;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using GitTorrent.Bench.Indexer;


namespace GitTorrent.Bench.Replicas;

/// <summary>
/// Profile crawling shared by replicas: a loopback DHT of our nodes holding N users' signed profiles, and 1 or 3
/// crawlers (each its own GitTorrent node, job runner and replica name, one database) crawling every user once through
/// the jobs table. Interleaved 1, 3, 3, 1 on fresh databases. Reports users per second, the ratio of 3 to 1, database
/// commands and CPU per user, and checks that no user was crawled twice (no double work).
/// </summary>
internal static class CrawlBenchmark
{
    public static async Task<int> RunAsync(string server, int users, int nodeCount)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(60));
        var ct = cts.Token;
        using var work = new GitTorrent.TestSupport.TempDirectory("bench-crawl");
        var build = Stopwatch.StartNew();
        var nodes = new List<DhtNode>();
        for (var i = 0; i < nodeCount; i++)
        {
            nodes.Add(await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback, QueryTimeout = TimeSpan.FromSeconds(1) }, null, ct));
        }

        var random = new Random(1);
        for (var i = 1; i < nodeCount; i++)
        {
            for (var j = 0; j < Math.Min(3, i); j++)
            {
                await nodes[i].AddNode(nodes[random.Next(i)].LocalEndPoint);
            }
        }

        for (var pass = 0; pass < 2; pass++)
        {
            await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
                async (node, token) => await node.BootstrapAsync(token));
        }

        var identities = Enumerable.Range(0, users).Select(_ => UserIdentity.Generate()).ToList();
        var commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
            async (i, token) =>
            {
                var profile = new UserProfile { Name = $"user {i}" };
                profile.Repositories[$"repo{i % 7}"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
                var value = new BString(profile.ToJson()).Encode();
                var item = new MutableItem(value, 1, identities[i].PublicKey, identities[i].SignProfile(1, value), []);
                await nodes[(i * 7919) % nodeCount].PutMutableAsync(item, null, token);
            });
        Console.WriteLine($"network: {nodeCount} DHT nodes, {users} profiles published in {build.Elapsed.TotalSeconds:F0} s");

        var crawlerNodes = new List<GitTorrentNode>();
        for (var i = 0; i < 3; i++)
        {
            var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
            {
                StateDirectory = Path.Combine(work.Path, $"crawler{i}"),
                Bind = IPAddress.Loopback,
                Bootstrap = [.. nodes.Take(8).Select(n => $"127.0.0.1:{n.LocalEndPoint.Port}")],
            }, null, ct);
            await node.Joined.WaitAsync(ct);
            crawlerNodes.Add(node);
        }

        Console.WriteLine("| replicas | users | wall s | users/s | found | DB commands/user | CPU ms/user | crawled once |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var rates = new Dictionary<int, List<double>> { [1] = [], [3] = [] };
        using var counter = new CommandCounter();
        foreach (var replicas in new[] { 1, 3, 3, 1 })
        {
            await using var database = await BenchDatabase.CreateAsync(server, ct);
            await using (var db = await database.Factory.CreateDbContextAsync(ct))
            {
                db.Users.AddRange(identities.Select(id => new User
                {
                    UserId = id.UserId.ToString(), PublicKey = id.PublicKey, RawProfile = [], Signature = [],
                    FirstSeen = DateTimeOffset.UtcNow, LastSeen = DateTimeOffset.UtcNow,
                }));
                await db.SaveChangesAsync(ct);
            }

            var crawlers = Enumerable.Range(0, replicas).Select(i =>
            {
                var jobOptions = Options.Create(new JobOptions { Replica = $"crawler{i}" });
                var runner = new JobRunner(new JobStore(database.Factory, jobOptions, TimeProvider.System), jobOptions, TimeProvider.System, NullLogger<JobRunner>.Instance);
                return new ProfileCrawler(new NodeHost(Options.Create(new NodeHostOptions()), NullLoggerFactory.Instance),
                    new ProfileStore(database.Factory, TimeProvider.System), new ProfileCrawlQueue(), database.Factory, runner,
                    Options.Create(new ProfileCrawlerOptions { FetchTimeout = TimeSpan.FromSeconds(10) }), TimeProvider.System,
                    NullLogger<ProfileCrawler>.Instance);
            }).ToList();
            await crawlers[0].PlanAsync(ct);
            var commands = counter.Count;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(crawlers.Select((crawler, i) => Task.Run(async () =>
            {
                while (await crawler.RunBatchAsync(crawlerNodes[i], ct) > 0)
                {
                }
            }, ct)));
            clock.Stop();
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            commands = counter.Count - commands;
            await using var check = await database.Factory.CreateDbContextAsync(ct);
            var runs = await check.JobRuns.CountAsync(r => r.Kind == JobKinds.ProfileCrawl, ct);
            var found = await check.Users.CountAsync(u => u.Seq == 1, ct);
            var once = runs == users;
            var rate = users / clock.Elapsed.TotalSeconds;
            rates[replicas].Add(rate);
            Console.WriteLine($"| {replicas} | {users} | {clock.Elapsed.TotalSeconds:F1} | {rate:F0} | {found} | {(double)commands / users:F2} | "
                + $"{cpuMs / users:F2} | {(once ? "yes" : $"NO: {runs} runs")} |");
            if (!once)
            {
                return 1;
            }
        }

        Console.WriteLine($"ratio 3 replicas / 1 replica (mean users/s): {rates[3].Average() / rates[1].Average():F2}");
        foreach (var node in crawlerNodes)
        {
            await node.DisposeAsync();
        }

        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        return 0;
    }
}
