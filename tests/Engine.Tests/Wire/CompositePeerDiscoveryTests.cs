using System.Net;
using System.Runtime.CompilerServices;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class CompositePeerDiscoveryTests
{
    private sealed class Broken : IPeerDiscovery
    {
        public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new IPEndPoint(IPAddress.Loopback, 1);
            throw new InvalidOperationException("lookup failed");
        }

        public Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Merges_sources_without_duplicates_and_survives_a_failing_one()
    {
        var a = new StaticPeerDiscovery([new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2)]);
        var b = new StaticPeerDiscovery([new IPEndPoint(IPAddress.Loopback, 3)]);
        var composite = new CompositePeerDiscovery(a, new Broken(), b);
        var ports = new List<int>();
        await foreach (var peer in composite.FindPeersAsync(Hash20.Zero, default).WithCancellation(
            new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
        {
            ports.Add(peer.Port);
        }
        Assert.Equal([1, 2, 3], ports.Order());

        await composite.AnnounceAsync(Hash20.Zero, 4000, default).WaitAsync(TimeSpan.FromSeconds(10));
        var afterAnnounce = new List<int>();
        await foreach (var peer in b.FindPeersAsync(Hash20.Zero, default))
        {
            afterAnnounce.Add(peer.Port);
        }
        Assert.Contains(4000, afterAnnounce);
    }
}
