using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class DhtRepublishTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Published_items_are_put_again_and_reach_nodes_that_joined_later()
    {
        await using var network = await TestNetwork.StartAsync(8);
        using var cts = new CancellationTokenSource(Timeout);
        await using var publisher = await DhtNode.StartAsync(TestNetwork.Options(o => o.RepublishInterval = TimeSpan.FromSeconds(1)), null, cts.Token);
        Assert.True(await TestNetwork.ConnectAsync(publisher, network.Nodes[0].LocalEndPoint));
        await publisher.BootstrapAsync(cts.Token);
        using var key = Ed25519Key.Generate();
        await publisher.PutMutableAsync(key, new BString("kept alive").Encode(), 1, null, null, cts.Token);

        // A node whose id is next to the target joins after the put: only a re-put can reach it.
        var near = key.UserId.ToArray();
        near[19] ^= 1;
        await using var late = await DhtNode.StartAsync(TestNetwork.Options(o => o.NodeId = new Hash20(near)), null, cts.Token);
        Assert.True(await TestNetwork.ConnectAsync(late, network.Nodes[1].LocalEndPoint));
        await late.BootstrapAsync(cts.Token);
        Assert.Equal(0, late.Statistics.ItemsStored);
        while (late.Statistics.ItemsStored == 0)
        {
            await Task.Delay(50, cts.Token);
        }
        using var client = new RawKrpcClient();
        var reply = await client.QueryAsync(late.LocalEndPoint, KrpcMethod.Get, new BDictionary { ["target"] = key.UserId.ToArray() }).WaitAsync(Timeout);
        Assert.Equal(1, reply.Body!.GetInteger("seq"));
        Assert.Equal(new BString("kept alive").Encode(), reply.Body["v"]!.Raw.ToArray());

        // BEP 44: a requester that already has this seq gets the seq but not the value.
        var known = await client.QueryAsync(late.LocalEndPoint, KrpcMethod.Get,
            new BDictionary { ["target"] = key.UserId.ToArray(), ["seq"] = 1 }).WaitAsync(Timeout);
        Assert.Equal(1, known.Body!.GetInteger("seq"));
        Assert.Null(known.Body["v"]);
    }

    [Fact]
    public async Task Invalid_options_are_refused_at_start()
    {
        await Assert.ThrowsAsync<System.ComponentModel.DataAnnotations.ValidationException>(() =>
            DhtNode.StartAsync(TestNetwork.Options(o => o.BucketSize = 1), null, CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Disposing_a_busy_node_ends_every_running_and_queued_lookup()
    {
        // The node runs on fake time that never advances, and the nodes it knows have departed: no query times out,
        // so its lookups (2 running, 18 queued) can only end because the node is disposed.
        var network = await TestNetwork.StartAsync(6);
        var node = await DhtNode.StartAsync(TestNetwork.Options(o =>
        {
            o.MaxConcurrentLookups = 2;
            o.TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        }), null, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(await TestNetwork.ConnectAsync(node, network.Nodes[0].LocalEndPoint));
        await network.DisposeAsync();
        var lookups = Enumerable.Range(0, 20).Select(_ => node.GetMutableAsync(Hash20.Random(), null, CancellationToken.None)).ToList();
        await Task.Delay(200); // let the 2 running lookups send their queries to the departed node
        Assert.DoesNotContain(lookups, l => l.IsCompleted);
        await node.DisposeAsync().AsTask().WaitAsync(Timeout);
        var results = await Task.WhenAll(lookups).WaitAsync(Timeout);
        Assert.All(results, Assert.Null);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => node.GetMutableAsync(Hash20.Random(), null, CancellationToken.None));
    }
}
