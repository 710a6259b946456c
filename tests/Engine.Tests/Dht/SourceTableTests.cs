using System.Net;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>The per-source table: rate limit, bounded memory by LRU, and the anti-amplification credit.</summary>
public sealed class SourceTableTests
{
    private static readonly LimitLog NoLog = new(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);

    private static IPEndPoint Address(int i, int port = 1) =>
        new(new IPAddress([(byte)(10 + (i >> 16)), (byte)(i >> 8), (byte)i, 1]), port);

    [Fact]
    public void Rate_limiter_allows_a_burst_then_the_rate_per_source()
    {
        var limiter = new SourceTable(maxSources: 4, perSecond: 10, burst: 20, amplificationFactor: 0, allowance: 0, NoLog);
        bool Allow(IPEndPoint source, long now) => limiter.Allow(limiter.Get(source, now), now);
        var a = new IPEndPoint(IPAddress.Parse("203.0.113.1"), 1);
        var sameHostOtherPort = new IPEndPoint(IPAddress.Parse("203.0.113.1"), 2);
        var b = new IPEndPoint(IPAddress.Parse("203.0.113.2"), 1);
        Assert.Equal(20, Enumerable.Range(0, 100).Count(_ => Allow(a, 0)));
        Assert.False(Allow(sameHostOtherPort, 0)); // ports do not buy a new budget
        Assert.True(Allow(b, 0));
        Assert.Equal(10, Enumerable.Range(0, 100).Count(_ => Allow(a, 1000)));
        // Loopback is keyed by port: every local process shares 127.0.0.1.
        Assert.True(Allow(new IPEndPoint(IPAddress.Loopback, 5), 0));
        Assert.True(Allow(new IPEndPoint(IPAddress.Loopback, 6), 0));
        // IPv6 is keyed by /64: a host picking fresh addresses from its /64 gets no fresh budget.
        Assert.Equal(20, Enumerable.Range(0, 100).Count(_ => Allow(new IPEndPoint(IPAddress.Parse("2001:db8:1:2::1"), 1), 0)));
        Assert.False(Allow(new IPEndPoint(IPAddress.Parse("2001:db8:1:2:ffff::7"), 9), 0));
        Assert.True(Allow(new IPEndPoint(IPAddress.Parse("2001:db8:1:3::1"), 1), 0));
    }

    [Fact]
    public void A_flood_from_many_addresses_evicts_the_quiet_sources_and_never_resets_a_busy_one()
    {
        const int max = 1000;
        var table = new SourceTable(maxSources: max, perSecond: 1, burst: 10, amplificationFactor: 0, allowance: 0, NoLog);
        bool Allow(IPEndPoint source) => table.Allow(table.Get(source, 0), 0);
        var flooder = new IPEndPoint(IPAddress.Parse("203.0.113.1"), 1);
        Assert.Equal(10, Enumerable.Range(0, 100).Count(_ => Allow(flooder)));
        // 50 times the table's size in new addresses, the flooder sending between them, all at one instant
        // (no refill): the flooder's empty bucket must survive every eviction.
        for (var i = 0; i < 50 * max; i++)
        {
            Allow(Address(i));
            Assert.False(Allow(flooder), $"the flooder got a fresh budget after {i + 1} other sources");
        }
        Assert.Equal(max, table.Count);
        Assert.Equal((50 * max) + 1 - max, table.Evicted);
        // The most recent sources are still tracked (one token spent); an evicted one starts over.
        Assert.Equal(9, Enumerable.Range(0, 20).Count(_ => Allow(Address((50 * max) - 1))));
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => Allow(Address(0))));
    }

    [Fact]
    public void Answers_to_an_unverified_source_stay_within_the_factor_of_its_queries_plus_the_allowance()
    {
        var table = new SourceTable(maxSources: 16, perSecond: 0, burst: 1, amplificationFactor: 3, allowance: 2048, NoLog);
        var source = table.Get(Address(1), 0);
        const int query = 90;
        const int wanted = 1400; // a BEP 44 get answer with a 1000-byte v
        long sent = 0;
        for (var i = 0; i < 1000; i++)
        {
            var budget = table.ResponseBudget(source, query, 0);
            var answer = Math.Min(wanted, budget);
            SourceTable.Spend(source, answer);
            sent += answer;
        }
        Assert.InRange(sent, 3 * query * 1000, 2048 + (3 * query * 1000));
        // The allowance comes back over a minute; a verified source is not bounded at all.
        Assert.Equal(2048 + (3 * query), table.ResponseBudget(source, query, SourceTable.AllowanceRefillMs));
        source.Verified = true;
        Assert.Equal(int.MaxValue, table.ResponseBudget(source, query, SourceTable.AllowanceRefillMs));
        var off = new SourceTable(maxSources: 16, perSecond: 0, burst: 1, amplificationFactor: 0, allowance: 0, NoLog);
        Assert.Equal(int.MaxValue, off.ResponseBudget(off.Get(Address(1), 0), query, 0));
    }
}
