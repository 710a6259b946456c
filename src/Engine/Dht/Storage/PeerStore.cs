using System.Net;

namespace GitTorrent.Engine.Dht.Storage;

/// <summary>
/// Peers announced to us (BEP 5 announce_peer), per infohash. Bounded: at most <c>maxPeersPerInfoHash</c>
/// per infohash (the oldest announce goes first) and <c>maxInfoHashes</c> infohashes (a new one is
/// refused when full). Announces expire after 30 minutes. Single owner, no locks.
/// </summary>
internal sealed class PeerStore(int maxInfoHashes, int maxPeersPerInfoHash)
{
    /// <summary>Announces live this long; PROTOCOL.md section 2 re-announces at least every 30 minutes.</summary>
    public const long LifetimeMs = 30 * 60 * 1000;

    private readonly Dictionary<Hash20, Dictionary<IPEndPoint, long>> _peers = [];

    public int InfoHashCount => _peers.Count;

    public int PeerCount { get; private set; }

    public bool Add(Hash20 infoHash, IPEndPoint peer, long now)
    {
        if (!_peers.TryGetValue(infoHash, out var set))
        {
            if (_peers.Count >= maxInfoHashes)
            {
                RemoveExpired(now);
                if (_peers.Count >= maxInfoHashes)
                {
                    return false;
                }
            }
            set = [];
            _peers[infoHash] = set;
        }
        if (!set.ContainsKey(peer) && set.Count >= maxPeersPerInfoHash)
        {
            var oldest = set.MinBy(p => p.Value).Key;
            set.Remove(oldest);
            PeerCount--;
        }
        if (set.TryAdd(peer, now))
        {
            PeerCount++;
        }
        else
        {
            set[peer] = now;
        }
        return true;
    }

    /// <summary>Up to <paramref name="max"/> live peers of <paramref name="infoHash"/>, in random order.</summary>
    public List<IPEndPoint> Get(Hash20 infoHash, int max, long now)
    {
        var result = new List<IPEndPoint>();
        if (!_peers.TryGetValue(infoHash, out var set))
        {
            return result;
        }
        foreach (var (peer, at) in set)
        {
            if (now - at < LifetimeMs)
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
            var before = set.Count;
            foreach (var (peer, at) in set)
            {
                if (now - at >= LifetimeMs)
                {
                    set.Remove(peer);
                }
            }
            PeerCount -= before - set.Count;
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
}
