using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class DhtNodeIpv6AndClockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Write_tokens_expire_with_the_node_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o => o.TimeProvider = time), null, CancellationToken.None).WaitAsync(Timeout);
        using var client = new RawKrpcClient();
        var value = new BString("immutable").Encode();
        var target = Bep44.ImmutableTarget(value);
        var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, new BDictionary { ["target"] = target.ToArray() }).WaitAsync(Timeout);
        var token = reply.Body!.Get<BString>("token")!.Span.ToArray();

        time.Advance(TimeSpan.FromMinutes(6)); // one rotation: still valid
        var ok = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Put,
            new BDictionary { ["token"] = token, ["v"] = BencodeReader.Decode(value) }).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, ok.Type);

        time.Advance(TimeSpan.FromMinutes(5)); // two rotations: gone
        var stale = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Put,
            new BDictionary { ["token"] = token, ["v"] = BencodeReader.Decode(value) }).WaitAsync(Timeout);
        Assert.Equal(KrpcErrorCode.Protocol, stale.ErrorCode);
    }

    [Fact]
    public async Task Nodes_on_ipv6_loopback_exchange_nodes6_and_items()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            Assert.Fail("IPv6 is not available on this machine; the DHT's BEP 32 path needs ::1.");
        }
        var nodes = new List<DhtNode>();
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            for (var i = 0; i < 6; i++)
            {
                nodes.Add(await DhtNode.StartAsync(TestNetwork.Options(o => o.BindAddress = IPAddress.IPv6Loopback), null, cts.Token));
            }
            for (var i = 1; i < nodes.Count; i++)
            {
                Assert.True(await TestNetwork.ConnectAsync(nodes[i], nodes[0].LocalEndPoint));
            }
            foreach (var node in nodes)
            {
                await node.BootstrapAsync(cts.Token);
            }
            Assert.All(nodes, n => Assert.True(n.RoutingTableSize >= 3, $"{n.RoutingTableSize}"));
            using var key = Ed25519Key.Generate();
            Assert.True((await nodes[1].PutMutableAsync(key, new BString("v6").Encode(), 1, null, null, cts.Token)).Stored >= 3);
            Assert.Equal(new BString("v6").Encode(), (await nodes[5].GetMutableAsync(key.UserId, null, cts.Token))?.Value);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().AsTask().WaitAsync(Timeout);
            }
        }
    }
}
