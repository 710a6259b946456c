using System.Net;
using GitTorrent.Engine.Dht;

namespace GitTorrent.TestSupport;

/// <summary>
/// A private DHT of our nodes on 127.0.0.1, as the real one is: live nodes, nodes that joined, became known and then
/// left (departed: they stay in the live nodes' routing tables and are handed out to lookups, but never answer), and
/// optionally latency on every datagram between them (<see cref="DelayingUdpRelay"/>). Nothing here contacts a public
/// router. Tests, benchmarks and fixtures start their private DHTs here.
/// </summary>
public sealed class PrivateDht : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly List<DhtNode> _nodes = [];
    private readonly List<IPEndPoint> _departed = [];
    private readonly DelayingUdpRelay? _relay;

    private PrivateDht(DelayingUdpRelay? relay) => _relay = relay;

    /// <summary>The live nodes.</summary>
    public IReadOnlyList<DhtNode> Nodes => _nodes;

    /// <summary>Where the departed nodes were (what the live nodes still hand out).</summary>
    public IReadOnlyList<IPEndPoint> Departed => _departed;

    /// <summary>The relay adding latency, or null.</summary>
    public DelayingUdpRelay? Relay => _relay;

    /// <summary>A <c>GITTORRENT_BOOTSTRAP</c> value naming every live node (at its relayed endpoint when there is latency).</summary>
    public string Bootstrap => string.Join(',', _nodes.Select(n => $"127.0.0.1:{EndPointOf(n).Port}"));

    /// <summary>Where others reach <paramref name="node"/>: its relayed endpoint when there is latency.</summary>
    public IPEndPoint EndPointOf(DhtNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _relay?.Expose(node.LocalEndPoint) ?? node.LocalEndPoint;
    }

    /// <summary>
    /// Starts <paramref name="live"/> nodes that know each other, and <paramref name="departed"/> more that join (every
    /// live node pings them, so they enter its routing table as nodes that answered) and then stop. With
    /// <paramref name="oneWayDelay"/>, every datagram between nodes takes that long (a round trip twice as long).
    /// </summary>
    public static async Task<PrivateDht> StartAsync(int live = 10, int departed = 0, TimeSpan? oneWayDelay = null,
        Action<DhtOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(live, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(departed);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var dht = new PrivateDht(oneWayDelay is { } delay && delay > TimeSpan.Zero ? new DelayingUdpRelay(delay) : null);
        try
        {
            var leaving = new List<DhtNode>();
            for (var i = 0; i < live + departed; i++)
            {
                var options = new DhtOptions { BindAddress = IPAddress.Loopback };
                configure?.Invoke(options);
                var node = await DhtNode.StartAsync(options, null, timeout.Token);
                (i < live ? dht._nodes : leaving).Add(node);
            }
            // Each live node knows up to four others; every node, live or leaving, knows the first live node.
            foreach (var node in dht._nodes)
            {
                foreach (var other in dht._nodes.Where(o => o != node).Take(4))
                {
                    await AddAsync(node, dht.EndPointOf(other), timeout.Token);
                }
            }
            foreach (var node in leaving)
            {
                await AddAsync(node, dht.EndPointOf(dht._nodes[0]), timeout.Token);
                foreach (var known in dht._nodes)
                {
                    await AddAsync(known, dht.EndPointOf(node), timeout.Token);
                }
            }
            foreach (var node in dht._nodes.Concat(leaving))
            {
                await node.BootstrapAsync(timeout.Token);
            }
            foreach (var node in leaving)
            {
                dht._departed.Add(dht.EndPointOf(node));
                await node.DisposeAsync();
            }
            return dht;
        }
        catch
        {
            await dht.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Announces <paramref name="port"/> as a peer of <paramref name="infoHash"/> from a node of its own that joins,
    /// announces and leaves (as a seeder's node would): a node does not store its own announcements, so with one live
    /// node an announce made by it would reach nobody. Returns how many nodes stored it.
    /// </summary>
    public async Task<int> AnnounceAsync(Engine.Hash20 infoHash, int port, CancellationToken cancellationToken)
    {
        await using var announcer = await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback }, null, cancellationToken);
        await AddAsync(announcer, EndPointOf(_nodes[0]), cancellationToken);
        await announcer.BootstrapAsync(cancellationToken);
        var result = await announcer.AnnounceAsync(infoHash, port, cancellationToken);
        return result.Stored;
    }

    /// <summary>Pings <paramref name="other"/> from <paramref name="node"/> until it answers (three tries: a shared machine drops some).</summary>
    private static async Task AddAsync(DhtNode node, IPEndPoint other, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await node.AddNode(other, cancellationToken))
            {
                return;
            }
        }
        throw new InvalidOperationException($"DHT node {other} did not answer a ping from {node.LocalEndPoint}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }
    }
}
