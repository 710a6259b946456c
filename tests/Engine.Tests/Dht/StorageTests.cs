using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Storage;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class StorageTests
{
    private static StoredItem Item(int size, long at) => new(Hash20.Random(), new byte[size], null, null, 0, null, at);

    [Fact]
    public void Item_store_evicts_least_recently_used_beyond_count()
    {
        var store = new ItemStore(maxItems: 3, maxBytes: 1 << 20);
        var a = Item(10, 0);
        var b = Item(10, 0);
        var c = Item(10, 0);
        store.Put(a);
        store.Put(b);
        store.Put(c);
        Assert.NotNull(store.Get(a.Target, 1)); // a is now most recently used
        store.Put(Item(10, 0));
        Assert.Equal(3, store.Count);
        Assert.Null(store.Get(b.Target, 1));
        Assert.NotNull(store.Get(a.Target, 1));
        Assert.Equal(1, store.Evicted);
    }

    [Fact]
    public void Item_store_bounds_bytes_and_expires_after_two_hours()
    {
        var store = new ItemStore(maxItems: 1000, maxBytes: 5 * (StoredItem.Overhead + 1000));
        for (var i = 0; i < 20; i++)
        {
            store.Put(Item(1000, 0));
        }
        Assert.Equal(5, store.Count);
        Assert.True(store.Bytes <= store.MaxBytes);
        var fresh = Item(10, ItemStore.LifetimeMs);
        store.Put(fresh);
        Assert.Equal(5, store.Count); // the oldest large item made room for the new one
        Assert.Equal(4, store.RemoveExpired(ItemStore.LifetimeMs + 1));
        Assert.NotNull(store.Get(fresh.Target, ItemStore.LifetimeMs + 1));
        Assert.Null(store.Get(fresh.Target, 2 * ItemStore.LifetimeMs));
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void Peer_store_bounds_peers_per_infohash_and_infohashes()
    {
        var store = new PeerStore(maxInfoHashes: 2, maxPeersPerInfoHash: 3);
        var hash = Hash20.Random();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(store.Add(hash, new IPEndPoint(IPAddress.Loopback, 1000 + i), i));
        }
        var peers = store.Get(hash, 50, 10);
        Assert.Equal(3, peers.Count);
        Assert.All(peers, p => Assert.True(p.Port >= 1007));
        Assert.True(store.Add(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 1), 10));
        Assert.False(store.Add(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 1), 10));
        Assert.Empty(store.Get(hash, 50, 10 + PeerStore.LifetimeMs));
        store.RemoveExpired(20 + PeerStore.LifetimeMs);
        Assert.Equal(0, store.PeerCount);
        Assert.Equal(0, store.InfoHashCount);
    }

    [Fact]
    public void Tokens_are_valid_five_to_ten_minutes_and_bound_to_the_address()
    {
        var time = new FakeTimeProvider();
        var tokens = new TokenManager(time);
        var me = IPAddress.Parse("198.51.100.7");
        var token = tokens.Issue(me);
        Assert.True(tokens.Check(token, me));
        Assert.False(tokens.Check(token, IPAddress.Parse("198.51.100.8")));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(tokens.Check(token, me));
        time.Advance(TimeSpan.FromMinutes(4.9));
        Assert.True(tokens.Check(token, me));
        time.Advance(TimeSpan.FromMinutes(0.2));
        Assert.False(tokens.Check(token, me));
        Assert.False(tokens.Check(token.AsSpan(0, 4), me));
    }

    [Fact]
    public void Rate_limiter_allows_a_burst_then_the_rate_per_source()
    {
        var limiter = new RateLimiter(perSecond: 10, burst: 20, maxSources: 4);
        var a = new IPEndPoint(IPAddress.Parse("203.0.113.1"), 1);
        var sameHostOtherPort = new IPEndPoint(IPAddress.Parse("203.0.113.1"), 2);
        var b = new IPEndPoint(IPAddress.Parse("203.0.113.2"), 1);
        Assert.Equal(20, Enumerable.Range(0, 100).Count(_ => limiter.Allow(a, 0)));
        Assert.False(limiter.Allow(sameHostOtherPort, 0)); // ports do not buy a new budget
        Assert.True(limiter.Allow(b, 0));
        Assert.Equal(10, Enumerable.Range(0, 100).Count(_ => limiter.Allow(a, 1000)));
        // Loopback is keyed by port: every local process shares 127.0.0.1.
        Assert.True(limiter.Allow(new IPEndPoint(IPAddress.Loopback, 5), 0));
        Assert.True(limiter.Allow(new IPEndPoint(IPAddress.Loopback, 6), 0));
        for (var i = 0; i < 100; i++)
        {
            limiter.Allow(new IPEndPoint(IPAddress.Parse($"192.0.2.{i}"), 1), 2000);
        }
        Assert.InRange(limiter.TrackedSources, 1, 4);
    }
}
