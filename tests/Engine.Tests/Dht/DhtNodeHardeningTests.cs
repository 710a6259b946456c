using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>
/// A real node on loopback against strangers (issue 11): attackers bind 127.0.0.2, honest clients 127.0.0.1.
/// Each test names a limit and checks both that it bites (and is counted) and that honest use goes on.
/// </summary>
public sealed class DhtNodeHardeningTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits for <paramref name="condition"/> on the node's statistics (refreshed by its loop); false if it never held.</summary>
    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(10);
        }
        return true;
    }

    private static async Task<List<Hash20>> FindNodeIdsAsync(RawKrpcClient client, DhtNode node)
    {
        var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.FindNode,
            new BDictionary { ["target"] = Hash20.Random().ToArray() }).WaitAsync(Timeout);
        var contacts = new List<DhtContact>();
        CompactEncoding.TryDecodeNodes(reply.Body!.Get<BString>("nodes")!.Span, System.Net.Sockets.AddressFamily.InterNetwork, contacts);
        return [.. contacts.Select(c => c.Id)];
    }

    private static async Task<byte[]> TokenAsync(RawKrpcClient client, DhtNode node)
    {
        var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.GetPeers,
            new BDictionary { ["info_hash"] = Hash20.Random().ToArray() }).WaitAsync(Timeout);
        return reply.Body!.Get<BString>("token")!.Span.ToArray();
    }

    private static async Task<KrpcMessage> AnnounceAsync(RawKrpcClient client, DhtNode node, byte[] token, Hash20 infoHash, int port) =>
        await client.QueryAsync(node.LocalEndPoint, KrpcMethod.AnnouncePeer,
            new BDictionary { ["info_hash"] = infoHash.ToArray(), ["port"] = port, ["token"] = token }).WaitAsync(Timeout);

    [Fact]
    public async Task A_node_that_only_queries_stays_out_of_the_routing_table_until_it_answers_our_ping()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var spoofer = new RawKrpcClient(RawKrpcClient.AttackerAddress); // its address could be anyone's: it never answers
        using var observer = new RawKrpcClient();
        for (var i = 0; i < 10; i++)
        {
            var pong = await spoofer.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
            Assert.Equal(KrpcMessageType.Response, pong.Type);
        }
        // The node asked once whether the spoofer's address is real (one ping per source per minute) and got no answer.
        Assert.True(await EventuallyAsync(() => node.Statistics.Timeouts >= 1), "the node never pinged the querier back");
        Assert.Equal(1, node.Statistics.VerificationPings);
        Assert.Equal(0, node.Statistics.RoutingTableSize);
        Assert.DoesNotContain(spoofer.Id, await FindNodeIdsAsync(observer, node));

        using var honest = new RawKrpcClient(RawKrpcClient.AttackerAddress) { AnswerPings = true };
        await honest.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
        Assert.True(await EventuallyAsync(() => node.Statistics.RoutingTableSize == 1), "a node that answered did not enter");
        var known = await FindNodeIdsAsync(observer, node);
        Assert.Contains(honest.Id, known);
        Assert.DoesNotContain(spoofer.Id, known);
    }

    [Fact]
    public async Task Bep42_keeps_nodes_whose_id_does_not_fit_their_address_out_of_the_routing_table()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o => o.EnforceNodeIdOnLocalAddresses = true), null,
            CancellationToken.None).WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        using var valid = new RawKrpcClient(IPAddress.Loopback, NodeIdGenerator.Generate(IPAddress.Loopback));
        using var forged = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        Assert.False(NodeIdGenerator.IsValid(forged.Id, RawKrpcClient.AttackerAddress));
        foreach (var client in new[] { forged, valid })
        {
            var answering = client.AnswerOnePingAsync(cts.Token);
            Assert.True(await node.AddNode(client.LocalEndPoint, cts.Token), "the client did not answer");
            await answering.WaitAsync(Timeout);
        }
        Assert.True(await EventuallyAsync(() => node.Statistics.NodeIdsRejected == 1 && node.Statistics.RoutingTableSize == 1),
            $"rejected {node.Statistics.NodeIdsRejected}, table {node.Statistics.RoutingTableSize}");
        using var observer = new RawKrpcClient();
        var known = await FindNodeIdsAsync(observer, node);
        Assert.Contains(valid.Id, known);
        Assert.DoesNotContain(forged.Id, known);
    }

    [Fact]
    public async Task One_address_can_neither_push_a_torrents_peers_out_nor_fill_the_peer_store()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o =>
        {
            o.MaxPeersPerInfoHash = 10;
            o.MaxAnnouncesPerAddress = 200;
        }), null,
            CancellationToken.None).WaitAsync(Timeout);
        var torrent = Hash20.Random();
        var honest = Enumerable.Range(0, 7).Select(_ => new RawKrpcClient()).ToList();
        using var attacker = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var ok = await AnnounceAsync(honest[i], node, await TokenAsync(honest[i], node), torrent, 7000 + i);
                Assert.Equal(KrpcMessageType.Response, ok.Type);
            }
            var token = await TokenAsync(attacker, node);
            var stored = 0;
            for (var port = 20_000; port < 20_050; port++)
            {
                var reply = await AnnounceAsync(attacker, node, token, torrent, port);
                stored += reply.Type == KrpcMessageType.Response ? 1 : 0;
                Assert.True(reply.Type == KrpcMessageType.Response || reply.ErrorCode == KrpcErrorCode.Server);
            }
            Assert.Equal(4, stored); // MaxPeersPerAddressPerInfoHash
            var listed = await honest[5].QueryAsync(node.LocalEndPoint, KrpcMethod.GetPeers,
                new BDictionary { ["info_hash"] = torrent.ToArray() }).WaitAsync(Timeout);
            var ports = listed.Body!.Get<BList>("values")!
                .Select(v => CompactEncoding.TryReadPeer(((BString)v).Span, out var peer) ? peer.Port : 0).ToList();
            Assert.Equal(9, ports.Count);
            Assert.All(Enumerable.Range(7000, 5), port => Assert.Contains(port, ports));
            // The list has one free place: an honest newcomer takes it, the next is told the list is full.
            Assert.Equal(KrpcMessageType.Response, (await AnnounceAsync(honest[5], node, await TokenAsync(honest[5], node), torrent, 7005)).Type);
            Assert.Equal(KrpcErrorCode.Server, (await AnnounceAsync(honest[6], node, await TokenAsync(honest[6], node), torrent, 7006)).ErrorCode);

            // 300 more infohashes from the attacker: it may hold MaxAnnouncesPerAddress (here 200) entries in all.
            for (var i = 0; i < 300; i++)
            {
                await AnnounceAsync(attacker, node, token, Hash20.Random(), 6881);
            }
            Assert.True(await EventuallyAsync(() => node.Statistics.AnnouncesRefusedPerAddress == 46 + 104),
                $"{node.Statistics.AnnouncesRefusedPerAddress} refused");
            Assert.Equal(1 + 196, node.Statistics.InfoHashesStored);
            Assert.Equal(1, node.Statistics.AnnouncesRefusedFull);
            var fresh = await AnnounceAsync(honest[6], node, await TokenAsync(honest[6], node), Hash20.Random(), 7006);
            Assert.Equal(KrpcMessageType.Response, fresh.Type);
        }
        finally
        {
            honest.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task One_address_holds_at_most_its_share_of_the_item_store()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var attacker = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        using var honest = new RawKrpcClient();
        var token = await TokenAsync(attacker, node);
        var refused = 0;
        for (var i = 0; i < 250; i++)
        {
            var put = await attacker.QueryAsync(node.LocalEndPoint, KrpcMethod.Put,
                new BDictionary { ["token"] = token, ["v"] = new BString($"junk {i}") }).WaitAsync(Timeout);
            refused += put.Type == KrpcMessageType.Error && put.ErrorCode == KrpcErrorCode.Server ? 1 : 0;
        }
        Assert.Equal(50, refused); // MaxItemsPerAddress = 200
        var ok = await honest.QueryAsync(node.LocalEndPoint, KrpcMethod.Put,
            new BDictionary { ["token"] = await TokenAsync(honest, node), ["v"] = new BString("a profile") }).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, ok.Type);
        Assert.True(await EventuallyAsync(() => node.Statistics.ItemsStored == 201 && node.Statistics.PutsRefusedPerAddress == 50),
            $"{node.Statistics.ItemsStored} stored, {node.Statistics.PutsRefusedPerAddress} refused");
    }

    [Fact]
    public async Task Many_ports_of_one_network_claiming_our_address_count_as_one_vote()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        var claimed = new IPEndPoint(IPAddress.Parse("198.51.100.66"), 6881);
        var liars = Enumerable.Range(0, 8).Select(_ => new RawKrpcClient(RawKrpcClient.AttackerAddress)).ToList();
        try
        {
            foreach (var liar in liars)
            {
                var answering = liar.AnswerOnePingAsync(cts.Token, claimObserved: claimed);
                Assert.True(await node.AddNode(liar.LocalEndPoint, cts.Token));
                await answering.WaitAsync(Timeout);
            }
            // Eight answers to our own pings, all from 127.0.0.0/24: one vote counted, seven ignored.
            Assert.True(await EventuallyAsync(() => node.Statistics.AddressVotesIgnored == 7), $"{node.Statistics.AddressVotesIgnored}");
            Assert.Null(node.ExternalAddress);
        }
        finally
        {
            liars.ForEach(l => l.Dispose());
        }
    }

    [Fact]
    public async Task Five_networks_agreeing_set_our_address_and_a_bep42_id_that_fits_it()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var cts = new CancellationTokenSource(Timeout);
        var claimed = new IPEndPoint(IPAddress.Parse("198.51.100.66"), 6881);
        var first = node.Id;
        // 127.0.1.2 ... 127.0.5.2: five /24s, all on loopback.
        var voters = Enumerable.Range(1, 5).Select(n => new RawKrpcClient(IPAddress.Parse($"127.0.{n}.2"))).ToList();
        try
        {
            foreach (var voter in voters)
            {
                Assert.Null(node.ExternalAddress);
                var answering = voter.AnswerOnePingAsync(cts.Token, claimObserved: claimed);
                Assert.True(await node.AddNode(voter.LocalEndPoint, cts.Token));
                await answering.WaitAsync(Timeout);
            }
            Assert.True(await EventuallyAsync(() => claimed.Address.Equals(node.ExternalAddress)));
            Assert.NotEqual(first, node.Id);
            Assert.True(NodeIdGenerator.IsValid(node.Id, claimed.Address));
            // The routing table was rebuilt around the new id and kept every node.
            Assert.True(await EventuallyAsync(() => node.Statistics.RoutingTableSize == 5), $"{node.Statistics.RoutingTableSize}");
            using var observer = new RawKrpcClient();
            var pong = await observer.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
            Assert.Equal(node.Id, pong.SenderId);
        }
        finally
        {
            voters.ForEach(v => v.Dispose());
        }
    }

    [Fact]
    public async Task Answers_to_an_unverified_source_stay_within_the_amplification_bound()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow); // frozen: the allowance never refills
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o => o.TimeProvider = time), null,
            CancellationToken.None).WaitAsync(Timeout);
        using var honest = new RawKrpcClient { AnswerPings = true };
        var value = new BString(new byte[990]).Encode();
        var target = Bep44.ImmutableTarget(value);
        var get = () => new BDictionary { ["target"] = target.ToArray() };
        var first = await honest.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, get()).WaitAsync(Timeout);
        // The node pinged the honest client to check its address; the client answered while waiting.
        Assert.True(await EventuallyAsync(() => node.Statistics.ResponsesReceived == 1));
        var put = await honest.QueryAsync(node.LocalEndPoint, KrpcMethod.Put,
            new BDictionary { ["token"] = first.Body!.Get<BString>("token")!, ["v"] = BencodeReader.Decode(value) }).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, put.Type);

        // A forged source (the victim of a reflection attack) never answers the node's ping.
        using var reflector = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        long received = 0;
        var withValue = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            var reply = await reflector.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, get()).WaitAsync(Timeout);
            Assert.Equal(KrpcMessageType.Response, reply.Type);
            Assert.NotNull(reply.Body!.Get<BString>("token")); // a trimmed answer still works for a later put
            received += reflector.LastReplyLength;
            if (reply.Body["v"] is not null)
            {
                withValue.Add(i);
            }
        }
        // UnverifiedResponseAllowance + UnverifiedAmplificationFactor x its queries, in all: about 3x, not 14x.
        var bound = 2048 + (3 * reflector.BytesSent);
        Assert.True(received <= bound, $"{received} bytes sent for {reflector.BytesSent} received (bound {bound})");
        Assert.Equal(0, withValue[0]); // the allowance covers a stranger's first answer whole
        Assert.InRange(withValue.Count, 1, 50 / 4);
        Assert.True(await EventuallyAsync(() => node.Statistics.ResponsesTrimmed == 50 - withValue.Count), $"{node.Statistics.ResponsesTrimmed}");

        // The verified client gets every answer whole.
        for (var i = 0; i < 10; i++)
        {
            var reply = await honest.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, get()).WaitAsync(Timeout);
            Assert.Equal(value, reply.Body!["v"]!.Raw.ToArray());
        }
    }
}
