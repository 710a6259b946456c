using System.Net;
using System.Security.Cryptography;

namespace GitTorrent.Engine.Dht.Routing;

/// <summary>
/// The BEP 5 routing table: k-buckets over the 160-bit id space, the bucket holding our own id split
/// when it overflows. Bucket i holds nodes sharing exactly i leading bits with us; the last bucket
/// holds everyone closer. Sans-IO: it tells the caller whom to ping and never sends anything.
/// Memory is bounded by 160 buckets x 2K entries. Callers add only nodes that answered a query of ours
/// (their address is real); with <see cref="NodeIdPolicy"/> enforcing, only those whose id fits their address.
/// </summary>
internal sealed class RoutingTable
{
    /// <summary>BEP 5: a good node has been heard from within the last 15 minutes.</summary>
    public const long QuestionableAfterMs = 15 * 60 * 1000;

    /// <summary>Failed queries in a row after which a node is bad and may be replaced.</summary>
    public const int MaxFailures = 2;

    /// <summary>Do not ping the same questionable node more often than this.</summary>
    private const long PingBackoffMs = 60 * 1000;

    private const int MaxBuckets = 160;

    private readonly List<KBucket> _buckets;
    private readonly Dictionary<Hash20, RoutingEntry> _byId = [];

    public RoutingTable(Hash20 ownId, int k, long now, NodeIdPolicy? policy = null)
    {
        OwnId = ownId;
        K = k;
        Policy = policy ?? NodeIdPolicy.Off;
        _buckets = [new KBucket(now)];
    }

    /// <summary>Which ids may enter the table (BEP 42).</summary>
    public NodeIdPolicy Policy { get; }

    public Hash20 OwnId { get; }

    public int K { get; }

    public int Count => _byId.Count;

    public int BucketCount => _buckets.Count;

    public IReadOnlyList<KBucket> Buckets => _buckets;

    public bool Contains(Hash20 id) => _byId.ContainsKey(id);

    public RoutingEntry? Get(Hash20 id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// Records that <paramref name="contact"/> answered a query of ours. Questionable nodes that should
    /// be checked before this one can take their place are added to <paramref name="toPing"/>.
    /// </summary>
    public RoutingOutcome Observe(DhtContact contact, long now, List<RoutingEntry>? toPing = null)
    {
        if (contact.Id == OwnId || contact.EndPoint.Port == 0)
        {
            return RoutingOutcome.Ignored;
        }
        if (!Policy.Accepts(contact.Id, contact.EndPoint.Address))
        {
            return RoutingOutcome.Rejected;
        }
        if (_byId.TryGetValue(contact.Id, out var existing))
        {
            if (!existing.EndPoint.Equals(contact.EndPoint))
            {
                // Same id from another address: keep the one we know answers (anti-spoofing).
                return RoutingOutcome.Ignored;
            }
            existing.LastSeen = now;
            existing.FailCount = 0;
            _buckets[IndexOf(contact.Id)].LastChanged = now;
            return RoutingOutcome.Updated;
        }
        while (true)
        {
            var index = IndexOf(contact.Id);
            var bucket = _buckets[index];
            if (bucket.Nodes.Count < K)
            {
                Insert(bucket, contact, now);
                return RoutingOutcome.Added;
            }
            var bad = bucket.Nodes.FindIndex(n => n.FailCount >= MaxFailures);
            if (bad >= 0)
            {
                _byId.Remove(bucket.Nodes[bad].Id);
                bucket.Nodes.RemoveAt(bad);
                Insert(bucket, contact, now);
                return RoutingOutcome.Added;
            }
            if (index == _buckets.Count - 1 && _buckets.Count < MaxBuckets)
            {
                Split(now);
                continue;
            }
            AddReplacement(bucket, contact, now);
            if (toPing is not null)
            {
                foreach (var node in bucket.Nodes)
                {
                    if (now - node.LastSeen >= QuestionableAfterMs && now - node.LastPinged >= PingBackoffMs)
                    {
                        node.LastPinged = now;
                        toPing.Add(node);
                    }
                }
            }
            return RoutingOutcome.Cached;
        }
    }

    /// <summary>
    /// <paramref name="id"/> at <paramref name="endPoint"/> sent us a query: if it is in the table (it answered
    /// us before, BEP 5 "good"), it counts as seen. True if it is in the table. A query alone adds nobody:
    /// its source address may be forged.
    /// </summary>
    public bool Touch(Hash20 id, IPEndPoint endPoint, long now)
    {
        if (!_byId.TryGetValue(id, out var entry) || !entry.EndPoint.Equals(endPoint))
        {
            return false;
        }
        entry.LastSeen = now;
        return true;
    }

    /// <summary>A query to <paramref name="id"/> timed out. A bad node is replaced from the cache if possible.</summary>
    public void Fail(Hash20 id, IPEndPoint endPoint)
    {
        if (!_byId.TryGetValue(id, out var entry) || !entry.EndPoint.Equals(endPoint))
        {
            return;
        }
        entry.FailCount++;
        if (entry.FailCount < MaxFailures)
        {
            return;
        }
        var bucket = _buckets[IndexOf(id)];
        if (bucket.Replacements.Count == 0)
        {
            return;
        }
        bucket.Nodes.Remove(entry);
        _byId.Remove(id);
        var replacement = bucket.Replacements[^1];
        bucket.Replacements.RemoveAt(bucket.Replacements.Count - 1);
        bucket.Nodes.Add(replacement);
        _byId[replacement.Id] = replacement;
    }

    public void Remove(Hash20 id)
    {
        if (!_byId.Remove(id, out var entry))
        {
            return;
        }
        _buckets[IndexOf(id)].Nodes.Remove(entry);
    }

    /// <summary>Up to <paramref name="count"/> non-bad nodes closest to <paramref name="target"/>, closest first.</summary>
    public List<DhtContact> FindClosest(Hash20 target, int count)
    {
        var best = new List<(Hash20 Distance, RoutingEntry Entry)>(count + 1);
        foreach (var bucket in _buckets)
        {
            foreach (var node in bucket.Nodes)
            {
                if (node.FailCount >= MaxFailures)
                {
                    continue;
                }
                var distance = node.Id.Xor(target);
                if (best.Count == count && distance >= best[^1].Distance)
                {
                    continue;
                }
                var at = best.Count;
                while (at > 0 && best[at - 1].Distance > distance)
                {
                    at--;
                }
                best.Insert(at, (distance, node));
                if (best.Count > count)
                {
                    best.RemoveAt(best.Count - 1);
                }
            }
        }
        var result = new List<DhtContact>(best.Count);
        foreach (var (_, entry) in best)
        {
            result.Add(entry.Contact);
        }
        return result;
    }

    public IEnumerable<RoutingEntry> Entries()
    {
        foreach (var bucket in _buckets)
        {
            foreach (var node in bucket.Nodes)
            {
                yield return node;
            }
        }
    }

    /// <summary>Random ids inside every bucket not changed for <paramref name="staleAfterMs"/> (BEP 5 refresh).</summary>
    public List<Hash20> StaleBucketTargets(long now, long staleAfterMs)
    {
        var targets = new List<Hash20>();
        for (var i = 0; i < _buckets.Count; i++)
        {
            if (now - _buckets[i].LastChanged >= staleAfterMs)
            {
                targets.Add(RandomIdInBucket(i));
                _buckets[i].LastChanged = now;
            }
        }
        return targets;
    }

    /// <summary>A random id that falls in bucket <paramref name="index"/>.</summary>
    public Hash20 RandomIdInBucket(int index)
    {
        Span<byte> own = stackalloc byte[Hash20.Length];
        OwnId.CopyTo(own);
        Span<byte> id = stackalloc byte[Hash20.Length];
        RandomNumberGenerator.Fill(id);
        // Keep the first `index` bits of our id; flip bit `index` unless this is the last bucket.
        var keep = index;
        for (var bit = 0; bit < keep; bit++)
        {
            SetBit(id, bit, GetBit(own, bit));
        }
        if (index < _buckets.Count - 1 && index < 160)
        {
            SetBit(id, index, !GetBit(own, index));
        }
        return new Hash20(id);
    }

    /// <summary>Estimated number of nodes in the whole DHT from the density of the closest ones we know.</summary>
    public long EstimateNetworkSize()
    {
        var closest = FindClosest(OwnId, K);
        if (closest.Count == 0)
        {
            return 0;
        }
        double sum = 0;
        for (var i = 0; i < closest.Count; i++)
        {
            var distance = Fraction(closest[i].Id.Xor(OwnId));
            sum += distance <= 0 ? 0 : (i + 1) / distance;
        }
        return (long)Math.Min(sum / closest.Count, long.MaxValue / 2.0);
    }

    private static double Fraction(Hash20 distance)
    {
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        distance.CopyTo(bytes);
        double value = 0;
        for (var i = 0; i < 8; i++)
        {
            value = (value * 256) + bytes[i];
        }
        return value / Math.Pow(2, 64);
    }

    private int IndexOf(Hash20 id) => Math.Min(OwnId.CommonPrefixLength(id), _buckets.Count - 1);

    private void Insert(KBucket bucket, DhtContact contact, long now)
    {
        var entry = new RoutingEntry(contact.Id, contact.EndPoint, now);
        bucket.Nodes.Add(entry);
        bucket.LastChanged = now;
        _byId[contact.Id] = entry;
        bucket.Replacements.RemoveAll(r => r.Id == contact.Id);
    }

    private void AddReplacement(KBucket bucket, DhtContact contact, long now)
    {
        var existing = bucket.Replacements.FindIndex(r => r.Id == contact.Id);
        if (existing >= 0)
        {
            bucket.Replacements.RemoveAt(existing);
        }
        else if (bucket.Replacements.Count >= K)
        {
            bucket.Replacements.RemoveAt(0);
        }
        bucket.Replacements.Add(new RoutingEntry(contact.Id, contact.EndPoint, now));
    }

    private void Split(long now)
    {
        var last = _buckets[^1];
        var depth = _buckets.Count - 1;
        var next = new KBucket(now);
        _buckets.Add(next);
        Move(last.Nodes, next.Nodes, depth);
        Move(last.Replacements, next.Replacements, depth);
        last.LastChanged = now;
    }

    private void Move(List<RoutingEntry> from, List<RoutingEntry> to, int depth)
    {
        for (var i = from.Count - 1; i >= 0; i--)
        {
            if (OwnId.CommonPrefixLength(from[i].Id) > depth)
            {
                to.Insert(0, from[i]);
                from.RemoveAt(i);
            }
        }
    }

    private static bool GetBit(ReadOnlySpan<byte> bytes, int bit) => (bytes[bit >> 3] & (0x80 >> (bit & 7))) != 0;

    private static void SetBit(Span<byte> bytes, int bit, bool value)
    {
        if (value)
        {
            bytes[bit >> 3] |= (byte)(0x80 >> (bit & 7));
        }
        else
        {
            bytes[bit >> 3] &= (byte)~(0x80 >> (bit & 7));
        }
    }
}
