using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Token bucket per source address. Loopback sources are keyed by address and port, since every
/// process on the machine shares 127.0.0.1; other sources by address alone, so rotating ports does
/// not buy a flooder more budget. At most <c>maxSources</c> buckets are tracked: when full, idle
/// buckets are swept, and if none is idle the table is reset (a flood from that many addresses gets,
/// at worst, one burst each per reset). Single owner, no locks.
/// </summary>
internal sealed class RateLimiter(double perSecond, int burst, int maxSources)
{
    private readonly Dictionary<(UInt128 Address, int Port), Bucket> _buckets = [];

    public bool Enabled => perSecond > 0;

    public int TrackedSources => _buckets.Count;

    public bool Allow(IPEndPoint source, long nowMs)
    {
        if (!Enabled)
        {
            return true;
        }
        var key = Key(source);
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            if (_buckets.Count >= maxSources)
            {
                Sweep(nowMs);
            }
            bucket = new Bucket { Tokens = burst, Updated = nowMs };
        }
        var refill = (nowMs - bucket.Updated) * perSecond / 1000.0;
        bucket.Tokens = Math.Min(burst, bucket.Tokens + refill);
        bucket.Updated = nowMs;
        var allowed = bucket.Tokens >= 1;
        if (allowed)
        {
            bucket.Tokens -= 1;
        }
        _buckets[key] = bucket;
        return allowed;
    }

    private void Sweep(long nowMs)
    {
        var fullAfterMs = (long)(burst / perSecond * 1000);
        foreach (var (key, bucket) in _buckets)
        {
            if (nowMs - bucket.Updated >= fullAfterMs)
            {
                _buckets.Remove(key);
            }
        }
        if (_buckets.Count >= maxSources)
        {
            _buckets.Clear();
        }
    }

    private static (UInt128, int) Key(IPEndPoint source)
    {
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        address.TryWriteBytes(bytes, out _);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return (value, IPAddress.IsLoopback(address) ? source.Port : 0);
    }

    private struct Bucket
    {
        public double Tokens;
        public long Updated;
    }
}
