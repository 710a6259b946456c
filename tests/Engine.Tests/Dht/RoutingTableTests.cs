using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Routing;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class RoutingTableTests
{
    private static DhtContact Contact(Hash20 id, int port) => new(id, new IPEndPoint(IPAddress.Loopback, port));

    /// <summary>An id sharing exactly <paramref name="prefix"/> leading bits with <paramref name="own"/>.</summary>
    private static Hash20 AtDistance(Hash20 own, int prefix)
    {
        while (true)
        {
            var id = Hash20.Random();
            var bytes = own.ToArray();
            var random = id.ToArray();
            for (var bit = prefix; bit < 160; bit++)
            {
                var mask = (byte)(0x80 >> (bit & 7));
                var value = bit == prefix ? (bytes[bit >> 3] & mask) == 0 : (random[bit >> 3] & mask) != 0;
                bytes[bit >> 3] = (byte)(value ? bytes[bit >> 3] | mask : bytes[bit >> 3] & ~mask);
            }
            var result = new Hash20(bytes);
            if (own.CommonPrefixLength(result) == prefix)
            {
                return result;
            }
        }
    }

    [Fact]
    public void Far_bucket_holds_at_most_k_and_caches_the_rest()
    {
        var own = Hash20.Random();
        var table = new RoutingTable(own, 8, 0);
        // Fill bucket 0 (ids differing in the first bit) and the near side, forcing a split.
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(RoutingOutcome.Added, table.Observe(Contact(AtDistance(own, 0), 1000 + i), 0));
        }
        Assert.Equal(RoutingOutcome.Added, table.Observe(Contact(AtDistance(own, 5), 2000), 0));
        Assert.True(table.BucketCount >= 2);
        Assert.Equal(RoutingOutcome.Cached, table.Observe(Contact(AtDistance(own, 0), 3000), 0));
        Assert.Equal(9, table.Count);
    }

    [Fact]
    public void Splitting_keeps_every_node_in_the_bucket_of_its_prefix()
    {
        var own = Hash20.Random();
        var table = new RoutingTable(own, 8, 0);
        for (var i = 0; i < 2000; i++)
        {
            table.Observe(Contact(Hash20.Random(), 1 + i), 0);
        }
        for (var prefix = 0; prefix < 12; prefix++)
        {
            table.Observe(Contact(AtDistance(own, prefix), 5000 + prefix), 0);
        }
        Assert.InRange(table.Count, 40, 160 * 8);
        for (var b = 0; b < table.BucketCount; b++)
        {
            var bucket = table.Buckets[b];
            Assert.InRange(bucket.Nodes.Count, 0, 8);
            foreach (var node in bucket.Nodes)
            {
                var cpl = own.CommonPrefixLength(node.Id);
                Assert.True(b == table.BucketCount - 1 ? cpl >= b : cpl == b, $"bucket {b} holds cpl {cpl}");
            }
        }
    }

    [Fact]
    public void Bad_nodes_are_replaced_from_the_cache_and_questionable_ones_pinged()
    {
        var own = Hash20.Random();
        var table = new RoutingTable(own, 2, 0);
        var near = AtDistance(own, 3);
        table.Observe(Contact(near, 99), 0); // keeps the last bucket busy so bucket 0 cannot split away
        var a = Contact(AtDistance(own, 0), 1);
        var b = Contact(AtDistance(own, 0), 2);
        var c = Contact(AtDistance(own, 0), 3);
        table.Observe(a, 0);
        table.Observe(b, 0);
        table.Observe(Contact(AtDistance(own, 4), 98), 0);
        var toPing = new List<RoutingEntry>();
        Assert.Equal(RoutingOutcome.Cached, table.Observe(c, 0, toPing));
        Assert.Empty(toPing); // a and b are fresh
        Assert.Equal(RoutingOutcome.Cached, table.Observe(c, RoutingTable.QuestionableAfterMs + 1, toPing));
        Assert.Equal(2, toPing.Count);

        table.Fail(a.Id, a.EndPoint);
        Assert.True(table.Contains(a.Id));
        table.Fail(a.Id, a.EndPoint);
        Assert.False(table.Contains(a.Id));
        Assert.True(table.Contains(c.Id));
    }

    [Fact]
    public void Same_id_from_another_address_does_not_displace_the_known_one()
    {
        var table = new RoutingTable(Hash20.Random(), 8, 0);
        var id = Hash20.Random();
        table.Observe(Contact(id, 1), 0);
        Assert.Equal(RoutingOutcome.Ignored, table.Observe(Contact(id, 2), 0));
        Assert.Equal(1, table.Get(id)!.EndPoint.Port);
        Assert.Equal(RoutingOutcome.Ignored, table.Observe(Contact(table.OwnId, 3), 0));
    }

    [Fact]
    public void FindClosest_returns_the_true_closest_in_order()
    {
        var table = new RoutingTable(Hash20.Random(), 8, 0);
        var all = new List<Hash20>();
        for (var i = 0; i < 500; i++)
        {
            var id = Hash20.Random();
            if (table.Observe(Contact(id, 1 + i), 0) == RoutingOutcome.Added)
            {
                all.Add(id);
            }
        }
        var target = Hash20.Random();
        var expected = all.OrderBy(id => id.Xor(target)).Take(8).ToList();
        Assert.Equal(expected, table.FindClosest(target, 8).Select(c => c.Id).ToList());
    }

    [Fact]
    public void Random_ids_for_refresh_fall_in_their_bucket()
    {
        var own = Hash20.Random();
        var table = new RoutingTable(own, 8, 0);
        for (var i = 0; i < 3000; i++)
        {
            table.Observe(Contact(Hash20.Random(), 1 + i), 0);
        }
        for (var b = 0; b < table.BucketCount - 1; b++)
        {
            Assert.Equal(b, own.CommonPrefixLength(table.RandomIdInBucket(b)));
        }
        Assert.True(own.CommonPrefixLength(table.RandomIdInBucket(table.BucketCount - 1)) >= table.BucketCount - 1);
        Assert.Equal(table.BucketCount, table.StaleBucketTargets(RoutingTable.QuestionableAfterMs, 1000).Count);
        Assert.Empty(table.StaleBucketTargets(RoutingTable.QuestionableAfterMs + 1, 1000));
    }

    /// <summary>BEP 42 "Example" vectors, taken as literal expectations: IP, and an id that is valid for it.</summary>
    [Theory]
    [InlineData("124.31.75.21", "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401")]
    [InlineData("21.75.31.124", "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256")]
    [InlineData("65.23.51.170", "a5d43220bc8f112a3d426c84764f8c2a1150e616")]
    [InlineData("84.124.73.14", "1b0321dd1bb1fe518101ceef99462b947a01ff41")]
    [InlineData("43.213.53.83", "e56f6cbf5b7c4be0237986d5243b87aa6d51305a")]
    public void Enforced_bep42_admits_an_id_only_at_the_address_it_was_derived_from(string ip, string id)
    {
        var nodeId = Hash20.Parse(id);
        DhtContact At(string address) => new(nodeId, new IPEndPoint(IPAddress.Parse(address), 6881));
        RoutingTable Table(bool enforce, bool includeLocal = false) =>
            new(Hash20.Random(), 8, 0, new NodeIdPolicy(enforce, includeLocal));

        Assert.Equal(RoutingOutcome.Added, Table(enforce: true).Observe(At(ip), 0));
        Assert.Equal(RoutingOutcome.Rejected, Table(enforce: true).Observe(At("1.2.3.4"), 0));
        var table = Table(enforce: true);
        Assert.Equal(RoutingOutcome.Rejected, table.Observe(At("1.2.3.4"), 0));
        Assert.Equal(0, table.Count);
        Assert.Equal(RoutingOutcome.Added, Table(enforce: false).Observe(At("1.2.3.4"), 0));
        // BEP 42 exempts local addresses, unless the table is told to check them too.
        Assert.Equal(RoutingOutcome.Added, Table(enforce: true).Observe(At("10.1.2.3"), 0));
        Assert.Equal(RoutingOutcome.Added, Table(enforce: true).Observe(At("127.0.0.2"), 0));
        Assert.Equal(RoutingOutcome.Rejected, Table(enforce: true, includeLocal: true).Observe(At("127.0.0.2"), 0));
    }

    [Fact]
    public void A_query_refreshes_a_known_node_but_adds_nobody()
    {
        var own = Hash20.Random();
        var table = new RoutingTable(own, 8, 0);
        var known = Contact(AtDistance(own, 1), 1000);
        Assert.Equal(RoutingOutcome.Added, table.Observe(known, 0));
        Assert.True(table.Touch(known.Id, known.EndPoint, 500));
        Assert.Equal(500, table.Get(known.Id)!.LastSeen);
        Assert.False(table.Touch(known.Id, new IPEndPoint(IPAddress.Loopback, 1001), 600)); // another endpoint
        Assert.Equal(500, table.Get(known.Id)!.LastSeen);
        var stranger = Contact(AtDistance(own, 2), 2000);
        Assert.False(table.Touch(stranger.Id, stranger.EndPoint, 600));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Network_size_estimate_follows_the_distances_of_the_closest_nodes()
    {
        // Worked by hand: own id 0; the i-th closest node (i = 1..8) lies at distance i/1024 of the id space, so each
        // term i / distance is 1024 and the estimate is 1024. At twice the distances the space is half as dense: 512.
        Assert.Equal(1024, TableWithSpacing(1024).EstimateNetworkSize());
        Assert.Equal(512, TableWithSpacing(512).EstimateNetworkSize());
        Assert.Equal(0, new RoutingTable(new Hash20(new byte[20]), 8, 0).EstimateNetworkSize());
    }

    /// <summary>Own id 0 and 8 nodes at distances i/<paramref name="slots"/> (i = 1..8) of the id space.</summary>
    private static RoutingTable TableWithSpacing(int slots)
    {
        var table = new RoutingTable(new Hash20(new byte[20]), 8, 0);
        var shift = 64 - (int)Math.Log2(slots);
        for (var i = 1; i <= 8; i++)
        {
            var id = new byte[20];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(id, (ulong)i << shift);
            Assert.Equal(RoutingOutcome.Added, table.Observe(Contact(new Hash20(id), 6000 + i), 0));
        }
        return table;
    }
}
