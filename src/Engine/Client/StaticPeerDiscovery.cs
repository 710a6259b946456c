using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>
/// Peers added by address: answers every lookup with the endpoints it was given (for tests, private swarms and
/// "connect to this peer"). Announces register the announcer on 127.0.0.1 (or <see cref="AnnounceAddress"/>) so
/// several engines in one process find each other like through a DHT.
/// </summary>
public sealed class StaticPeerDiscovery(IEnumerable<IPEndPoint>? peers = null) : IPeerDiscovery
{
    private readonly ConcurrentDictionary<IPEndPoint, byte> _peers =
        new((peers ?? []).Select(p => KeyValuePair.Create(p, (byte)0)));

    public IPAddress AnnounceAddress { get; init; } = IPAddress.Loopback;

    public void Add(IPEndPoint peer) => _peers.TryAdd(peer, 0);

    public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var peer in _peers.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return peer;
        }
    }

    public Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken)
    {
        Add(new IPEndPoint(AnnounceAddress, port));
        return Task.CompletedTask;
    }
}
