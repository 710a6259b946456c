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

    private static IPEndPoint Peer(int host, int port = 6881) => new(IPAddress.Parse($"198.51.100.{host}"), port);

    private static StoreOutcome Announce(PeerStore store, Hash20 infoHash, IPEndPoint peer, long now) =>
        store.Add(infoHash, peer, SourceKey.Of(peer), now);

    [Fact]
    public void Peer_store_bounds_peers_per_infohash_and_infohashes_and_keeps_those_it_has()
    {
        var store = new PeerStore(maxInfoHashes: 2, maxPeersPerInfoHash: 3, maxPerSource: 100, maxPerSourcePerInfoHash: 100);
        var hash = Hash20.Random();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i < 3 ? StoreOutcome.Stored : StoreOutcome.Full, Announce(store, hash, Peer(i), i));
        }
        // A full list takes nobody new (libtorrent's rule): the first three are kept, nobody was pushed out.
        Assert.Equal([0, 1, 2], store.Get(hash, 50, 10).Select(p => p.Address.GetAddressBytes()[3]).Order().Select(b => (int)b));
        Assert.Equal(StoreOutcome.Refreshed, Announce(store, hash, Peer(1), 10));
        Assert.Equal(StoreOutcome.Stored, Announce(store, Hash20.Random(), Peer(1), 10));
        Assert.Equal(StoreOutcome.Full, Announce(store, Hash20.Random(), Peer(1), 10));
        Assert.Empty(store.Get(hash, 50, 11 + PeerStore.LifetimeMs));
        // Once the first ones expire, a newcomer gets a place.
        Assert.Equal(StoreOutcome.Stored, Announce(store, hash, Peer(50), 3 + PeerStore.LifetimeMs));
        store.RemoveExpired(3 + (2 * PeerStore.LifetimeMs));
        Assert.Equal(0, store.PeerCount);
        Assert.Equal(0, store.InfoHashCount);
    }

    [Fact]
    public void One_address_cannot_fill_the_peer_store_or_a_torrents_list()
    {
        var store = new PeerStore(maxInfoHashes: 10_000, maxPeersPerInfoHash: 20, maxPerSource: 50, maxPerSourcePerInfoHash: 4);
        var torrent = Hash20.Random();
        for (var host = 1; host <= 10; host++)
        {
            Assert.Equal(StoreOutcome.Stored, Announce(store, torrent, Peer(host), 0));
        }
        // The attacker announces the torrent from 1,000 ports, then 10,000 infohashes.
        var attacker = IPAddress.Parse("203.0.113.66");
        var ports = Enumerable.Range(1, 1000).Count(port =>
            Announce(store, torrent, new IPEndPoint(attacker, port), 1) == StoreOutcome.Stored);
        Assert.Equal(4, ports);
        var hashes = Enumerable.Range(0, 10_000).Count(_ =>
            Announce(store, Hash20.Random(), new IPEndPoint(attacker, 6881), 1) == StoreOutcome.Stored);
        Assert.Equal(50 - 4, hashes);
        Assert.Equal(50, store.CountOf(SourceKey.Of(new IPEndPoint(attacker, 1))));
        Assert.Equal(1 + 46, store.InfoHashCount);
        // Every honest peer is still listed, and honest newcomers still get in.
        var listed = store.Get(torrent, 50, 2);
        Assert.Equal(14, listed.Count);
        Assert.Equal(10, listed.Count(p => !p.Address.Equals(attacker)));
        Assert.Equal(StoreOutcome.Stored, Announce(store, torrent, Peer(11), 2));
        Assert.Equal(StoreOutcome.Stored, Announce(store, Hash20.Random(), Peer(12), 2));
        // The attacker's entries expire like any others and free its share.
        store.RemoveExpired(2 + PeerStore.LifetimeMs);
        Assert.Equal(0, store.CountOf(SourceKey.Of(new IPEndPoint(attacker, 1))));
    }

    [Fact]
    public void One_address_holds_at_most_its_share_of_the_item_store()
    {
        var store = new ItemStore(maxItems: 1000, maxBytes: 1 << 20, maxPerSource: 5);
        var attacker = SourceKey.Of(new IPEndPoint(IPAddress.Parse("203.0.113.66"), 1));
        var honest = SourceKey.Of(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 1));
        StoredItem From(SourceKey source) => new(Hash20.Random(), new byte[10], null, null, 0, null, 0) { Source = source };
        Assert.Equal(5, Enumerable.Range(0, 100).Count(_ => store.Put(From(attacker)) == StoreOutcome.Stored));
        Assert.Equal(5, store.CountOf(attacker));
        Assert.Equal(StoreOutcome.Stored, store.Put(From(honest)));
        Assert.Equal(6, store.Count);
        // Replacing one of its own items (a higher seq) is not a new item; this node's own items are not counted.
        var own = store.Items(0).First(i => i.Source == attacker);
        Assert.Equal(StoreOutcome.Stored, store.Put(new StoredItem(own.Target, new byte[20], null, null, 1, null, 0) { Source = attacker }));
        Assert.Equal(StoreOutcome.Stored, store.Put(new StoredItem(Hash20.Random(), new byte[10], null, null, 0, null, 0)));
        Assert.Equal(5, store.CountOf(attacker));
        store.RemoveExpired(ItemStore.LifetimeMs);
        Assert.Equal(0, store.CountOf(attacker));
        Assert.Equal(0, store.Count);
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
}
