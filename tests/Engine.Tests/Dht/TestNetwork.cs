using System.Net;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>Many of our DHT nodes on 127.0.0.1 in this process, with test-sized timeouts.</summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private TestNetwork(List<DhtNode> nodes) => Nodes = nodes;

    public List<DhtNode> Nodes { get; }

    public static DhtOptions Options(Action<DhtOptions>? configure = null)
    {
        var options = new DhtOptions
        {
            BindAddress = IPAddress.Loopback,
            QueryTimeout = TimeSpan.FromMilliseconds(1500),
            SlowQueryAfter = TimeSpan.FromMilliseconds(250),
            LookupTimeout = TimeSpan.FromSeconds(15),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts <paramref name="count"/> nodes; each bootstraps from up to 3 nodes started before it, then all bootstrap again.</summary>
    public static async Task<TestNetwork> StartAsync(int count, Action<DhtOptions>? configure = null)
    {
        using var cts = new CancellationTokenSource(Timeout * 3);
        var nodes = new List<DhtNode>(count);
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await DhtNode.StartAsync(Options(configure), null, cts.Token).WaitAsync(cts.Token));
        }
        var network = new TestNetwork(nodes);
        var random = new Random(count);
        // Seed each routing table with a few hand-fed nodes, then let lookups fill them.
        var seeding = new List<Task>();
        for (var i = 1; i < count; i++)
        {
            for (var j = 0; j < Math.Min(3, i); j++)
            {
                seeding.Add(nodes[i].AddNode(nodes[random.Next(i)].LocalEndPoint));
            }
        }
        await Task.WhenAll(seeding).WaitAsync(cts.Token);
        for (var pass = 0; pass < 2; pass++)
        {
            await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cts.Token },
                async (node, ct) => await node.BootstrapAsync(ct).WaitAsync(Timeout, ct));
        }
        return network;
    }

    /// <summary>
    /// <see cref="DhtNode.AddNode"/> with up to 3 tries: on a machine shared with parallel builds and the
    /// 200-node test, a single ping may miss its timeout. True once the node answered.
    /// </summary>
    public static async Task<bool> ConnectAsync(DhtNode node, IPEndPoint other)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await node.AddNode(other).WaitAsync(Timeout))
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask())).WaitAsync(Timeout);
    }
}
