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
        Console.WriteLine($"network: {nodeCount} nodes built in {build.Elapsed.TotalSeconds:0.0} s, " +
            $"routing table median {Stats.Percentile(nodes.Select(n => (double)n.RoutingTableSize).ToList(), 50)}, " +
            $"estimated size (node 0) {nodes[0].Statistics.EstimatedDhtSize}");

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
        var peerResults = new List<LookupResult>();
        var getResults = new List<LookupResult>();
        var peerFound = 0;
        var getFound = 0;
        for (var i = 0; i < lookups; i++)
        {
            var reader = nodes[(i * 104729 + 13) % nodeCount];
            var peers = await reader.GetPeersWithStatsAsync(infoHashes[i], ct);
            peerResults.Add(peers);
            peerFound += peers.PeerCount > 0 ? 1 : 0;
            var get = await reader.GetMutableWithStatsAsync(keys[i].UserId, null, ct);
            getResults.Add(get);
            getFound += get.Mutable?.Sequence == 1 ? 1 : 0;
        }
        Report("get_peers", peerResults, peerFound, lookups);
        Report("BEP 44 get", getResults, getFound, lookups);

        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        foreach (var key in keys)
        {
            key.Dispose();
        }
        return 0;
    }

    private static void Report(string name, List<LookupResult> results, int found, int total)
    {
        var rounds = results.Select(r => (double)r.Rounds).ToList();
        var ms = results.Select(r => r.Elapsed.TotalMilliseconds).ToList();
        var queries = results.Select(r => (double)r.QueriesSent).ToList();
        Console.WriteLine($"{name}: success {found}/{total} ({100.0 * found / total:0.0}%), " +
            $"rounds median {Stats.Percentile(rounds, 50)} p95 {Stats.Percentile(rounds, 95)}, " +
            $"wall median {Stats.Percentile(ms, 50):0.0} ms p95 {Stats.Percentile(ms, 95):0.0} ms, " +
            $"queries median {Stats.Percentile(queries, 50)} p95 {Stats.Percentile(queries, 95)}");
    }
}
