using System.Text;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class DhtNodeSmallNetworkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Nodes_ping_each_other_and_fill_routing_tables()
    {
        await using var network = await TestNetwork.StartAsync(12);
        Assert.All(network.Nodes, n => Assert.True(n.RoutingTableSize >= 8, $"routing table {n.RoutingTableSize}"));
        Assert.True(await TestNetwork.ConnectAsync(network.Nodes[3], network.Nodes[7].LocalEndPoint));
    }

    [Fact]
    public async Task Mutable_item_put_by_one_node_is_read_by_another()
    {
        await using var network = await TestNetwork.StartAsync(12);
        using var key = Ed25519Key.Generate();
        var value = new BString("{\"name\":\"x\"}").Encode();
        using var cts = new CancellationTokenSource(Timeout);
        var put = await network.Nodes[0].PutMutableAsync(key, value, 5, null, null, cts.Token);
        Assert.True(put.Stored >= 4, $"stored at {put.Stored}");
        var got = await network.Nodes[11].GetMutableAsync(key.UserId, null, cts.Token);
        Assert.NotNull(got);
        Assert.Equal(5, got.Sequence);
        Assert.Equal(value, got.Value);
        Assert.Equal(key.PublicKey, got.PublicKey);

        // The nodes that stored it can list it (a crawler's way to learn of profiles).
        var holders = 0;
        foreach (var node in network.Nodes.Skip(1))
        {
            var stored = await node.GetStoredMutableItemsAsync(100, cts.Token);
            if (stored.Any(i => i.Target == key.UserId))
            {
                holders++;
                var item = stored.Single(i => i.Target == key.UserId);
                Assert.True(Bep44.VerifyMutable(item.PublicKey, item.Salt, item.Sequence, item.Value, item.Signature));
            }
        }
        Assert.Equal(put.Stored, holders);
    }

    [Fact]
    public async Task Immutable_item_and_peers_are_found()
    {
        await using var network = await TestNetwork.StartAsync(12);
        using var cts = new CancellationTokenSource(Timeout);
        var value = new BString(Encoding.UTF8.GetBytes("immutable hello")).Encode();
        var put = await network.Nodes[2].PutImmutableAsync(value, cts.Token);
        Assert.True(put.Stored >= 4);
        Assert.Equal(value, await network.Nodes[9].GetImmutableAsync(put.Target, cts.Token));

        var infoHash = Hash20.Random();
        var announce = await network.Nodes[4].AnnounceAsync(infoHash, 4321, cts.Token);
        Assert.True(announce.Stored >= 4);
        var peers = new List<System.Net.IPEndPoint>();
        await foreach (var peer in network.Nodes[10].FindPeersAsync(infoHash, cts.Token))
        {
            peers.Add(peer);
        }
        Assert.Contains(peers, p => p.Port == 4321);
    }
}
