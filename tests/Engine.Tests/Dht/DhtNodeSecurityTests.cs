using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>Forged and malformed input against one real node, through a scripted UDP peer.</summary>
public sealed class DhtNodeSecurityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<byte[]> TokenAsync(RawKrpcClient client, DhtNode node, Hash20 target)
    {
        var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, new BDictionary { ["target"] = target.ToArray() });
        Assert.Equal(KrpcMessageType.Response, reply.Type);
        return reply.Body!.Get<BString>("token")!.Span.ToArray();
    }

    private static BDictionary MutablePut(Ed25519Key key, byte[] token, long seq, byte[] v, byte[]? salt = null, byte[]? sig = null, long? cas = null)
    {
        var args = new BDictionary
        {
            ["token"] = token,
            ["k"] = key.PublicKey,
            ["seq"] = seq,
            ["sig"] = sig ?? key.SignMutable(salt ?? [], seq, v),
            ["v"] = BencodeReader.Decode(v),
        };
        if (salt is not null)
        {
            args["salt"] = salt;
        }
        if (cas is not null)
        {
            args["cas"] = cas.Value;
        }
        return args;
    }

    [Fact]
    public async Task Forged_puts_get_their_bep44_error_code_and_are_never_returned()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var client = new RawKrpcClient();
        using var key = Ed25519Key.Generate();
        using var other = Ed25519Key.Generate();
        var target = key.UserId;
        var token = await TokenAsync(client, node, target).WaitAsync(Timeout);
        var good = new BString("good").Encode();

        async Task<int?> Put(BDictionary args)
        {
            var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Put, args).WaitAsync(Timeout);
            return reply.Type == KrpcMessageType.Error ? reply.ErrorCode : null;
        }

        Assert.Null(await Put(MutablePut(key, token, 5, good)));
        Assert.Equal(KrpcErrorCode.Protocol, await Put(MutablePut(key, [1, 2, 3, 4, 5, 6, 7, 8], 6, new BString("bad token").Encode())));
        Assert.Equal(KrpcErrorCode.MessageTooBig, await Put(MutablePut(key, token, 6, new BString(new byte[1000]).Encode())));
        Assert.Equal(KrpcErrorCode.SaltTooBig, await Put(MutablePut(key, token, 6, good, salt: new byte[65])));
        Assert.Equal(KrpcErrorCode.InvalidSignature, await Put(MutablePut(key, token, 6, new BString("forged").Encode(),
            sig: key.SignMutable([], 6, new BString("other").Encode()))));
        Assert.Equal(KrpcErrorCode.InvalidSignature, await Put(MutablePut(key, token, 6, new BString("wrong key").Encode(),
            sig: other.SignMutable([], 6, new BString("wrong key").Encode()))));
        Assert.Equal(KrpcErrorCode.SequenceTooLow, await Put(MutablePut(key, token, 4, new BString("older").Encode())));
        Assert.Equal(KrpcErrorCode.SequenceTooLow, await Put(MutablePut(key, token, 5, new BString("same seq").Encode())));
        Assert.Equal(KrpcErrorCode.CasMismatch, await Put(MutablePut(key, token, 7, new BString("cas").Encode(), cas: 3)));
        Assert.Null(await Put(MutablePut(key, token, 5, good))); // the same item again is fine

        var reply = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Get, new BDictionary { ["target"] = target.ToArray() }).WaitAsync(Timeout);
        Assert.Equal(5, reply.Body!.GetInteger("seq"));
        Assert.Equal(good, reply.Body["v"]!.Raw.ToArray());

        Assert.Null(await Put(MutablePut(key, token, 8, new BString("newer").Encode(), cas: 5)));
        var immutableTooBig = new BDictionary { ["token"] = token, ["v"] = new BString(new byte[1200]) };
        Assert.Equal(KrpcErrorCode.MessageTooBig, await Put(immutableTooBig));
        Assert.True(node.Statistics.ErrorsSent >= 8);
    }

    [Fact]
    public async Task Announce_needs_a_valid_token_and_honours_implied_port()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var client = new RawKrpcClient();
        var infoHash = Hash20.Random();
        var peers = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.GetPeers, new BDictionary { ["info_hash"] = infoHash.ToArray() }).WaitAsync(Timeout);
        var token = peers.Body!.Get<BString>("token")!.Span.ToArray();
        Assert.Null(peers.Body.Get<BList>("values"));

        var bad = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.AnnouncePeer,
            new BDictionary { ["info_hash"] = infoHash.ToArray(), ["port"] = 1234, ["token"] = new byte[8] }).WaitAsync(Timeout);
        Assert.Equal(KrpcErrorCode.Protocol, bad.ErrorCode);

        var ok = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.AnnouncePeer,
            new BDictionary { ["info_hash"] = infoHash.ToArray(), ["port"] = 1234, ["implied_port"] = 1, ["token"] = token }).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, ok.Type);

        var found = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.GetPeers, new BDictionary { ["info_hash"] = infoHash.ToArray() }).WaitAsync(Timeout);
        var value = Assert.Single(found.Body!.Get<BList>("values")!);
        Assert.True(CompactEncoding.TryReadPeer(((BString)value).Span, out var peer));
        Assert.Equal(client.LocalEndPoint.Port, peer.Port);
    }

    [Fact]
    public async Task Unknown_methods_get_error_204()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var client = new RawKrpcClient();
        var datagram = System.Text.Encoding.ASCII.GetBytes($"d1:ad2:id20:abcdefghij0123456789e1:q6:vote!!1:t2:zz1:y1:qe");
        client.SendRaw(datagram, node.LocalEndPoint);
        var error = await client.ReceiveReplyAsync("zz"u8.ToArray()).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Error, error.Type);
        Assert.Equal(KrpcErrorCode.MethodUnknown, error.ErrorCode);
        var ping = await client.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, ping.Type);
        Assert.Equal(1, node.Statistics.ErrorsSent);
    }

    [Fact]
    public async Task Items_from_lying_nodes_are_rejected_by_get()
    {
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(), null, CancellationToken.None).WaitAsync(Timeout);
        using var liar = new RawKrpcClient();
        using var key = Ed25519Key.Generate();
        using var other = Ed25519Key.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var mode = 0;
        var responder = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                var (query, from) = await liar.ReceiveQueryAsync(cts.Token);
                var body = new BDictionary { ["token"] = new byte[] { 1, 2, 3, 4 }, ["nodes"] = Array.Empty<byte>() };
                if (query.Method == KrpcMethod.Get)
                {
                    var v = new BString("lie").Encode();
                    switch (mode)
                    {
                        case 0: // valid signature by a key that is not the target's
                            body["k"] = other.PublicKey;
                            body["seq"] = 9;
                            body["sig"] = other.SignMutable([], 9, v);
                            break;
                        case 1: // the target's key, signature over another value
                            body["k"] = key.PublicKey;
                            body["seq"] = 9;
                            body["sig"] = key.SignMutable([], 9, new BString("truth").Encode());
                            break;
                        case 3: // the target's key, valid, but older than what we hold
                            body["k"] = key.PublicKey;
                            body["seq"] = 2;
                            body["sig"] = key.SignMutable([], 2, v);
                            break;
                        default: // immutable whose hash is not the target
                            break;
                    }
                    body["v"] = BencodeReader.Decode(v);
                }
                liar.Respond(query, from, body);
            }
        });
        Assert.True(await TestNetwork.ConnectAsync(node, liar.LocalEndPoint));
        Assert.Null(await node.GetMutableAsync(key.UserId, null, cts.Token));
        mode = 1;
        Assert.Null(await node.GetMutableAsync(key.UserId, null, cts.Token));
        mode = 3;
        await node.PutMutableAsync(key, new BString("truth").Encode(), 5, null, null, cts.Token);
        var kept = await node.GetMutableAsync(key.UserId, null, cts.Token);
        Assert.Equal(5, kept?.Sequence);
        Assert.Equal(new BString("truth").Encode(), kept?.Value);
        mode = 2;
        Assert.Null(await node.GetImmutableAsync(Hash20.Random(), cts.Token));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => responder.WaitAsync(Timeout));
    }

    /// <summary>
    /// 100k malformed datagrams from 127.0.0.2 while an honest client on 127.0.0.1 pings: with the rate limit
    /// off every datagram reaches the decoder and is dropped as malformed; with the default limit most are
    /// dropped before decoding. Either way each drop is counted and the pings are answered.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hundred_thousand_malformed_datagrams_are_counted_and_pings_still_answered(bool rateLimited)
    {
        // The node's clock stands still, so the flooder's rate-limit bucket never refills after its burst.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o =>
        {
            o.TimeProvider = time;
            o.RateLimitPerSecond = rateLimited ? o.RateLimitPerSecond : 0;
        }), null, CancellationToken.None).WaitAsync(Timeout);
        var burst = rateLimited ? new DhtOptions().RateLimitBurst : 0; // decoded (and dropped as malformed) before the limit bites
        using var flooder = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        using var pinger = new RawKrpcClient();
        long Dropped() => node.Statistics.MalformedDropped + node.Statistics.RateLimited;
        var random = new Random(42);
        var valid = System.Text.Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe");
        var huge = System.Text.Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t999999999:aa1:y1:qe");
        const int total = 100_000;
        var pingsAnswered = 0;
        var buffer = new byte[3000];
        for (var i = 0; i < total; i++)
        {
            ReadOnlySpan<byte> datagram;
            switch (i % 4)
            {
                case 0:
                    random.NextBytes(buffer);
                    datagram = buffer.AsSpan(0, 1 + random.Next(600));
                    break;
                case 1:
                    datagram = valid.AsSpan(0, random.Next(valid.Length)); // truncated
                    break;
                case 2:
                    datagram = huge;
                    break;
                default:
                    random.NextBytes(buffer);
                    buffer[0] = (byte)'d';
                    datagram = buffer.AsSpan(0, i % 1000 == 3 ? buffer.Length : 50); // some longer than any KRPC message
                    break;
            }
            flooder.SendRaw(datagram, node.LocalEndPoint);
            if (i % 200 == 199)
            {
                // Keep the socket buffer from overflowing: UDP on loopback drops silently when it does.
                // If the kernel dropped some anyway, stop waiting once the counter stands still.
                var deadline = DateTime.UtcNow + Timeout;
                var seen = -1L;
                var stillSince = DateTime.UtcNow;
                while (Dropped() < i - 400 && DateTime.UtcNow < deadline
                    && DateTime.UtcNow - stillSince < TimeSpan.FromMilliseconds(200))
                {
                    var now = Dropped();
                    if (now != seen)
                    {
                        seen = now;
                        stillSince = DateTime.UtcNow;
                    }
                    await Task.Delay(1);
                }
            }
            if (i % 10_000 == 0)
            {
                var pong = await pinger.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
                Assert.Equal(node.Id, pong.SenderId);
                pingsAnswered++;
            }
        }
        var end = DateTime.UtcNow + Timeout;
        while (Dropped() < total && DateTime.UtcNow < end)
        {
            await Task.Delay(10);
        }
        Assert.Equal(10, pingsAnswered);
        Assert.InRange(Dropped(), total * 99 / 100, total);
        Assert.InRange(node.Statistics.RateLimited, rateLimited ? (total * 99 / 100) - burst : 0, rateLimited ? total - burst : 0);
        var last = await pinger.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, last.Type);
    }

    /// <summary>
    /// 2000 pings from one source on a clock that stands still: its bucket gives exactly the burst (100) and never
    /// refills, so exactly 1900 are dropped and counted, whatever the send speed; another source is still answered.
    /// </summary>
    [Fact]
    public async Task A_flooding_source_is_rate_limited_while_others_are_served()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o =>
        {
            o.TimeProvider = time;
            o.RateLimitPerSecond = 100;
            o.RateLimitBurst = 100;
        }), null, CancellationToken.None).WaitAsync(Timeout);
        using var flooder = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        using var pinger = new RawKrpcClient();
        var ping = System.Text.Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe");
        long Handled() => node.Statistics.RateLimited + node.Statistics.ResponsesSent;
        const int total = 2000;
        const int batch = 100;
        for (var sent = 0; sent < total; sent += batch)
        {
            for (var i = 0; i < batch; i++)
            {
                flooder.SendRaw(ping, node.LocalEndPoint);
            }
            // Each batch is answered or dropped before the next goes out: the socket buffer never overflows, so
            // every datagram reaches the node and the counts below are exact.
            await WaitForAsync(() => Handled() >= sent + batch, $"{sent + batch} datagrams handled");
        }
        Assert.Equal(total - 100, node.Statistics.RateLimited);
        Assert.Equal(100, node.Statistics.ResponsesSent);

        var pong = await pinger.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
        Assert.Equal(KrpcMessageType.Response, pong.Type);
        Assert.Equal(101, node.Statistics.ResponsesSent);
        Assert.Equal(total - 100, node.Statistics.RateLimited);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            Assert.False(cts.IsCancellationRequested, $"not reached in {Timeout}: {what}");
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
