using System.Net;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Per-source state of a node (<see cref="SourceKey"/>): a token bucket for the datagram rate limit, the byte
/// credit that bounds what we send to a source that has not shown it receives at its address, and whether it
/// has. At most <c>maxSources</c> sources are tracked; a new one evicts the source heard from least recently,
/// so a flood from many addresses can push out only the quiet ones and never resets the budget of a source
/// that keeps sending (it stays at the recent end). Single owner, no locks.
/// </summary>
internal sealed class SourceTable(int maxSources, double perSecond, int burst, double amplificationFactor, int allowance,
    LimitLog limitLog)
{
    /// <summary>An unverified source's <c>allowance</c> refills over this time (linearly).</summary>
    public const long AllowanceRefillMs = 60_000;

    private readonly Dictionary<SourceKey, LinkedListNode<SourceState>> _sources = [];
    private readonly LinkedList<SourceState> _recent = new(); // most recently heard first

    public bool RateLimited => perSecond > 0;

    public int Count => _sources.Count;

    /// <summary>Sources forgotten because the table was full.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    private long _evicted;

    /// <summary>The state of <paramref name="source"/>, created if new; marks it as the most recently heard.</summary>
    public SourceState Get(IPEndPoint source, long nowMs)
    {
        var key = SourceKey.Of(source);
        if (_sources.TryGetValue(key, out var node))
        {
            if (node != _recent.First)
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
            }
            return node.Value;
        }
        if (_sources.Count >= maxSources && _recent.Last is { } oldest)
        {
            _recent.RemoveLast();
            _sources.Remove(oldest.Value.Key);
            limitLog.Bit(ref _evicted, "Dht:" + nameof(DhtOptions.RateLimitMaxSources));
        }
        node = _recent.AddFirst(new SourceState(key, burst, allowance, nowMs));
        _sources[key] = node;
        return node.Value;
    }

    /// <summary>Takes one datagram's token; false when the source is over its rate.</summary>
    public bool Allow(SourceState source, long nowMs)
    {
        if (!RateLimited)
        {
            return true;
        }
        var refill = (nowMs - source.TokensUpdated) * perSecond / 1000.0;
        source.Tokens = Math.Min(burst, source.Tokens + refill);
        source.TokensUpdated = nowMs;
        if (source.Tokens < 1)
        {
            return false;
        }
        source.Tokens -= 1;
        return true;
    }

    /// <summary>
    /// Bytes an answer to a query of <paramref name="queryLength"/> bytes may take: unbounded for a verified
    /// source; otherwise the allowance left (refilled over <see cref="AllowanceRefillMs"/>) plus
    /// amplification factor x the query. Charge what is sent with <see cref="Spend"/>.
    /// </summary>
    public int ResponseBudget(SourceState source, int queryLength, long nowMs)
    {
        if (source.Verified || amplificationFactor <= 0)
        {
            return int.MaxValue;
        }
        var refill = (nowMs - source.CreditUpdated) * (double)allowance / AllowanceRefillMs;
        source.Credit = Math.Min(allowance, source.Credit + refill) + (amplificationFactor * queryLength);
        source.CreditUpdated = nowMs;
        return (int)Math.Min(source.Credit, int.MaxValue);
    }

    public static void Spend(SourceState source, int bytes) => source.Credit = Math.Max(0, source.Credit - bytes);
}
