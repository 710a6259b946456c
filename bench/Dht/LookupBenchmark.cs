using System.Diagnostics;
using System.Net;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Lookups;

namespace GitTorrent.Bench.Dht;

/// <summary>
/// Round trips and wall time of get_peers and BEP 44 get in a network of our nodes on loopback.
/// "Rounds" = hops from our routing table to the closest answering nodes (LookupResult.Rounds).
/// </summary>
internal static class LookupBenchmark
{
    public static async Task<int> RunAsync(int nodeCount, int lookups)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = cts.Token;
        var build = Stopwatch.StartNew();
        var nodes = new List<DhtNode>(nodeCount);
        for (var i = 0; i < nodeCount; i++)
        {
            nodes.Add(await DhtNode.StartAsync(new DhtOptions
            {
                BindAddress = IPAddress.Loopback,
                QueryTimeout = TimeSpan.FromSeconds(1),
                SlowQueryAfter = TimeSpan.FromMilliseconds(300),
            }, null, ct));
        }
        var random = new Random(1);
        var seeding = new List<Task>();
        for (var i = 1; i < nodeCount; i++)
        {
            for (var j = 0; j < Math.Min(3, i); j++)
            {
                seeding.Add(nodes[i].AddNode(nodes[random.Next(i)].LocalEndPoint));
            }
        }
        await Task.WhenAll(seeding);
        for (var pass = 0; pass < 2; pass++)
        {
            await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
                async (node, token) => await node.BootstrapAsync(token));
        }
        await Task.Delay(1500, ct); // let the nodes refresh their size estimates
        Console.WriteLine($"network: {nodeCount} nodes built in {build.Elapsed.TotalSeconds:0.0} s, " +
            $"routing table median {Stats.Percentile(nodes.Select(n => (double)n.RoutingTableSize).ToList(), 50)}, " +
            $"estimated size median {Stats.Percentile(nodes.Select(n => (double)n.Statistics.EstimatedDhtSize).ToList(), 50):0}");

        // Data to look up: announces and mutable items from random nodes.
        var infoHashes = new Hash20[lookups];
        var keys = new Ed25519Key[lookups];
        await Parallel.ForEachAsync(Enumerable.Range(0, lookups), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (i, token) =>
            {
                infoHashes[i] = Hash20.Random();
                keys[i] = Ed25519Key.Generate();
                var writer = nodes[(i * 7919) % nodeCount];
                await writer.AnnounceAsync(infoHashes[i], 10000 + i, token);
                await writer.PutMutableAsync(keys[i], new BString(Encoding.UTF8.GetBytes($"profile {i}")).Encode(), 1, null, null, token);
            });

        // Lookups one at a time, from nodes that did not write, so each is timed alone.
        var peerResults = new List<(LookupResult Result, double Ms)>();
        var getResults = new List<(LookupResult Result, double Ms)>();
        var peerFound = 0;
        var getFound = 0;
        for (var i = 0; i < lookups; i++)
        {
            var reader = nodes[(i * 104729 + 13) % nodeCount];
            var watch = Stopwatch.StartNew();
            var peers = await reader.GetPeersWithStatsAsync(infoHashes[i], ct);
            peerResults.Add((peers, watch.Elapsed.TotalMilliseconds));
            peerFound += peers.PeerCount > 0 ? 1 : 0;
            watch.Restart();
            var get = await reader.GetMutableWithStatsAsync(keys[i].UserId, null, ct);
            getResults.Add((get, watch.Elapsed.TotalMilliseconds));
            getFound += get.Mutable?.Sequence == 1 ? 1 : 0;
        }
        Report("get_peers", peerResults, peerFound, lookups);
        Report("BEP 44 get", getResults, getFound, lookups);

        // The same lookups after a fifth of the nodes stopped without notice.
        var stopped = Enumerable.Range(0, nodeCount).Where(i => i % 5 == 4).ToHashSet();
        await Task.WhenAll(stopped.Select(i => nodes[i].DisposeAsync().AsTask()));
        var alive = Enumerable.Range(0, nodeCount).Where(i => !stopped.Contains(i)).ToArray();
        peerResults.Clear();
        getResults.Clear();
        peerFound = getFound = 0;
        for (var i = 0; i < lookups; i++)
        {
            var reader = nodes[alive[(i * 104729 + 13) % alive.Length]];
            var watch = Stopwatch.StartNew();
            var peers = await reader.GetPeersWithStatsAsync(infoHashes[i], ct);
            peerResults.Add((peers, watch.Elapsed.TotalMilliseconds));
            peerFound += peers.PeerCount > 0 ? 1 : 0;
            watch.Restart();
            var get = await reader.GetMutableWithStatsAsync(keys[i].UserId, null, ct);
            getResults.Add((get, watch.Elapsed.TotalMilliseconds));
            getFound += get.Mutable?.Sequence == 1 ? 1 : 0;
        }
        Report("get_peers, 20% stopped", peerResults, peerFound, lookups);
        Report("BEP 44 get, 20% stopped", getResults, getFound, lookups);
        nodes = alive.Select(i => nodes[i]).ToList();

        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        foreach (var key in keys)
        {
            key.Dispose();
        }
        return 0;
    }

    private static void Report(string name, List<(LookupResult Result, double Ms)> results, int found, int total)
    {
        var rounds = results.Select(r => (double)r.Result.Rounds).ToList();
        var ms = results.Select(r => r.Ms).ToList();
        var queries = results.Select(r => (double)r.Result.QueriesSent).ToList();
        Console.WriteLine($"{name}: success {found}/{total} ({100.0 * found / total:0.0}%), " +
            $"rounds median {Stats.Percentile(rounds, 50)} p95 {Stats.Percentile(rounds, 95)}, " +
            $"wall median {Stats.Percentile(ms, 50):0.00} ms p95 {Stats.Percentile(ms, 95):0.00} ms, " +
            $"queries median {Stats.Percentile(queries, 50)} p95 {Stats.Percentile(queries, 95)}");
    }
}
