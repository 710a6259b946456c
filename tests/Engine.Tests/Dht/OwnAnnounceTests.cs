using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>
/// A node that is the only DHT node of a private network (clients bootstrap from it, as inside a company) answers
/// get_peers with its own announces: nobody else is there to store them. Bound to 0.0.0.0 it names the address the
/// querier reached it on. The querier is a bare socket, so no announce can have been stored anywhere but here.
/// </summary>
public sealed class OwnAnnounceTests
{
    private static readonly TimeSpan Timeout = TestNetwork.Timeout;

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    public async Task The_only_node_of_a_network_lists_its_own_announce(string bind)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var lone = await DhtNode.StartAsync(TestNetwork.Options(o => o.BindAddress = IPAddress.Parse(bind)), null, cts.Token);
        var infoHash = Hash20.Sha1("a commit the lone node serves"u8);

        var announce = await lone.AnnounceAsync(infoHash, 4321, cts.Token);
        Assert.Equal(0, announce.Stored); // nobody else to store it

        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 4321), await GetPeersAsync(lone, infoHash));
        Assert.Empty(await GetPeersAsync(lone, Hash20.Sha1("a commit nobody announced"u8)));
    }

    private static async Task<List<IPEndPoint>> GetPeersAsync(DhtNode node, Hash20 infoHash)
    {
        using var client = new RawKrpcClient();
        var reply = await client.QueryAsync(new IPEndPoint(IPAddress.Loopback, node.LocalEndPoint.Port), KrpcMethod.GetPeers,
            new BDictionary { ["info_hash"] = infoHash.ToArray() }).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, reply.Type);
        var peers = new List<IPEndPoint>();
        foreach (var value in reply.Body!.Get<BList>("values") ?? [])
        {
            Assert.True(CompactEncoding.TryReadPeer(((BString)value).Span, out var peer));
            peers.Add(peer);
        }
        return peers;
    }
}
