using System.Net;
using System.Text;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>200 of our nodes on loopback in this process.</summary>
public sealed class DhtNetworkTests
{
    private const int NodeCount = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Two_hundred_nodes_put_get_and_announce_and_survive_losing_a_fifth()
    {
        await using var network = await TestNetwork.StartAsync(NodeCount);
        var nodes = network.Nodes;
        using var cts = new CancellationTokenSource(Timeout);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 24, CancellationToken = cts.Token };
        Assert.All(nodes, n => Assert.True(n.RoutingTableSize >= 8, $"routing table of {n.Id}: {n.RoutingTableSize}"));

        // Every node puts a mutable and an immutable item; the next node reads both back.
        var keys = nodes.Select(_ => Ed25519Key.Generate()).ToArray();
        var immutableTargets = new Hash20[NodeCount];
        var failures = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, NodeCount), parallel, async (i, ct) =>
        {
            var mutable = await nodes[i].PutMutableAsync(keys[i], Value($"profile {i}"), 1, null, null, ct);
            var immutable = await nodes[i].PutImmutableAsync(Value($"blob {i}"), ct);
            immutableTargets[i] = immutable.Target;
            if (mutable.Stored < 4 || immutable.Stored < 4)
            {
                lock (failures)
                {
                    failures.Add($"node {i}: mutable stored at {mutable.Stored}, immutable at {immutable.Stored}");
                }
            }
        });
        Assert.Empty(failures);
        await Parallel.ForEachAsync(Enumerable.Range(0, NodeCount), parallel, async (i, ct) =>
        {
            var reader = nodes[(i + 1) % NodeCount];
            var mutable = await reader.GetMutableAsync(keys[i].UserId, null, ct);
            var immutable = await reader.GetImmutableAsync(immutableTargets[i], ct);
            if (mutable?.Sequence != 1 || !Value($"profile {i}").AsSpan().SequenceEqual(mutable.Value)
                || immutable is null || !Value($"blob {i}").AsSpan().SequenceEqual(immutable))
            {
                lock (failures)
                {
                    failures.Add($"item of node {i} not read back");
                }
            }
        });
        Assert.Empty(failures);

        // A newer seq replaces the older one everywhere it is read.
        Assert.True((await nodes[0].PutMutableAsync(keys[0], Value("profile 0 v2"), 2, null, null, cts.Token)).Stored >= 4);
        Assert.Equal(2, (await nodes[100].GetMutableAsync(keys[0].UserId, null, cts.Token))?.Sequence);

        // get_peers finds announced peers.
        var infoHashes = Enumerable.Range(0, 10).Select(_ => Hash20.Random()).ToArray();
        for (var i = 0; i < infoHashes.Length; i++)
        {
            Assert.True((await nodes[i * 7].AnnounceAsync(infoHashes[i], 40000 + i, cts.Token)).Stored >= 4);
        }
        for (var i = 0; i < infoHashes.Length; i++)
        {
            var found = await Peers(nodes[199 - i], infoHashes[i], cts.Token);
            Assert.Contains(new IPEndPoint(IPAddress.Loopback, 40000 + i), found);
        }

        // Each node estimates the network size from the density of ids around its own. The estimate is refreshed once
        // a second, so on a fast run give the nodes a few ticks before reading the median.
        long Median() => nodes.Select(n => n.Statistics.EstimatedDhtSize).Order().ElementAt(NodeCount / 2);
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Median() is < NodeCount / 4 or > NodeCount * 4 && DateTime.UtcNow < settle)
        {
            await Task.Delay(200, cts.Token);
        }
        Assert.InRange(Median(), NodeCount / 4, NodeCount * 4);

        // Stop a fifth of the nodes (none of the readers below), then read everything again.
        var random = new Random(200);
        var stopped = Enumerable.Range(0, NodeCount).Where(i => i % 5 == 3).ToHashSet();
        await Task.WhenAll(stopped.Select(i => nodes[i].DisposeAsync().AsTask())).WaitAsync(cts.Token);
        var alive = Enumerable.Range(0, NodeCount).Where(i => !stopped.Contains(i)).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, NodeCount), parallel, async (i, ct) =>
        {
            var reader = nodes[alive[random.Next(alive.Length)]];
            var mutable = await reader.GetMutableAsync(keys[i].UserId, null, ct);
            var immutable = await reader.GetImmutableAsync(immutableTargets[i], ct);
            if (mutable is null || immutable is null)
            {
                lock (failures)
                {
                    failures.Add($"after the stop: item of node {i} not found");
                }
            }
        });
        Assert.Empty(failures);
        for (var i = 0; i < infoHashes.Length; i++)
        {
            var found = await Peers(nodes[alive[i]], infoHashes[i], cts.Token);
            Assert.Contains(new IPEndPoint(IPAddress.Loopback, 40000 + i), found);
        }
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    private static byte[] Value(string text) => new BString(Encoding.UTF8.GetBytes(text)).Encode();

    private static async Task<List<IPEndPoint>> Peers(DhtNode node, Hash20 infoHash, CancellationToken ct)
    {
        var peers = new List<IPEndPoint>();
        await foreach (var peer in node.FindPeersAsync(infoHash, ct))
        {
            peers.Add(peer);
        }
        return peers;
    }
}
