using System.Net;

namespace GitTorrent.Engine.Dht.Storage;

/// <summary>
/// Peers announced to us (BEP 5 announce_peer), per infohash. Bounded in total (<c>maxInfoHashes</c>,
/// <c>maxPeersPerInfoHash</c>) and per announcing source (<see cref="SourceKey"/>): at most
/// <c>maxPerSource</c> entries in all and <c>maxPerSourcePerInfoHash</c> for one infohash. A full list takes
/// nobody new until its entries expire, as in libtorrent: peers already listed are never pushed out, so one
/// address announcing from many ports cannot evict a torrent's peers. Announces expire after 30 minutes.
/// Single owner, no locks.
/// </summary>
internal sealed class PeerStore(int maxInfoHashes, int maxPeersPerInfoHash, int maxPerSource, int maxPerSourcePerInfoHash)
{
    /// <summary>Announces live this long; docs/PROTOCOL.md section 2 re-announces at least every 30 minutes.</summary>
    public const long LifetimeMs = 30 * 60 * 1000;

    private readonly Dictionary<Hash20, Dictionary<IPEndPoint, Announce>> _peers = [];
    private readonly SourceCounter _perSource = new();

    public int InfoHashCount => _peers.Count;

    public int PeerCount { get; private set; }

    /// <summary>Entries held for <paramref name="source"/>.</summary>
    public int CountOf(SourceKey source) => _perSource[source];

    public StoreOutcome Add(Hash20 infoHash, IPEndPoint peer, SourceKey source, long now)
    {
        if (_peers.TryGetValue(infoHash, out var set) && set.TryGetValue(peer, out var known))
        {
            set[peer] = known with { At = now };
            return StoreOutcome.Refreshed;
        }
        if (CountOf(source) >= maxPerSource
            || (set is not null && set.Values.Count(a => a.Source == source) >= maxPerSourcePerInfoHash))
        {
            return StoreOutcome.AddressLimit;
        }
        if (set is null)
        {
            if (_peers.Count >= maxInfoHashes)
            {
                RemoveExpired(now);
                if (_peers.Count >= maxInfoHashes)
                {
                    return StoreOutcome.Full;
                }
            }
            set = [];
            _peers[infoHash] = set;
        }
        else if (set.Count >= maxPeersPerInfoHash)
        {
            RemoveExpired(set, now);
            if (set.Count >= maxPeersPerInfoHash)
            {
                return StoreOutcome.Full;
            }
        }
        set.Add(peer, new Announce(now, source));
        _perSource.Add(source);
        PeerCount++;
        return StoreOutcome.Stored;
    }

    /// <summary>Up to <paramref name="max"/> live peers of <paramref name="infoHash"/>, in random order.</summary>
    public List<IPEndPoint> Get(Hash20 infoHash, int max, long now)
    {
        var result = new List<IPEndPoint>();
        if (!_peers.TryGetValue(infoHash, out var set))
        {
            return result;
        }
        foreach (var (peer, announce) in set)
        {
            if (now - announce.At < LifetimeMs)
            {
                result.Add(peer);
            }
        }
        if (result.Count > max)
        {
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(result));
            result.RemoveRange(max, result.Count - max);
        }
        return result;
    }

    public void RemoveExpired(long now)
    {
        List<Hash20>? empty = null;
        foreach (var (hash, set) in _peers)
        {
            RemoveExpired(set, now);
            if (set.Count == 0)
            {
                (empty ??= []).Add(hash);
            }
        }
        if (empty is not null)
        {
            foreach (var hash in empty)
            {
                _peers.Remove(hash);
            }
        }
    }

    private void RemoveExpired(Dictionary<IPEndPoint, Announce> set, long now)
    {
        foreach (var (peer, announce) in set)
        {
            if (now - announce.At >= LifetimeMs)
            {
                set.Remove(peer);
                PeerCount--;
                _perSource.Remove(announce.Source);
            }
        }
    }

    private readonly record struct Announce(long At, SourceKey Source);
}
