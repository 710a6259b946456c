using System.Buffers;
using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// The attackers of issue 11, run in a child process (so that their CPU time is their own) from 127.0.0.2, built on the
/// same TestSupport pieces as the acceptance tests. Each returns when its attack is over; the holding ones (idle,
/// bencode) keep going until <paramref name="stop"/>.
/// </summary>
internal static class Attackers
{
    public static readonly string[] Names = ["flood", "idle", "bencode", "announce", "udp"];

    private static readonly IPAddress From = ScriptedPeer.AttackerAddress;

    public static Task RunAsync(string name, IPEndPoint seeder, IPEndPoint dht, Hash20 tip, IReadOnlyList<Hash20> commits,
        Action ready, CancellationToken stop) => name switch
        {
            "flood" => FloodAsync(seeder, tip, commits, ready),
            "idle" => IdleAsync(seeder, tip, ready, stop),
            "bencode" => BencodeAsync(seeder, tip, ready, stop),
            "announce" => AnnounceAsync(dht, ready),
            "udp" => GarbageAsync(dht, ready),
            _ => throw new ArgumentException("unknown attacker " + name, nameof(name)),
        };

    /// <summary>200 ut_gittorrent requests at once, each with its own random haves (real and made up), each connection closed 0.5 s after its request.</summary>
    private static async Task FloodAsync(IPEndPoint seeder, Hash20 tip, IReadOnlyList<Hash20> commits, Action ready)
    {
        ready();
        var random = new Random(11);
        var haves = Enumerable.Range(0, 200).Select(_ => (List<Hash20>)[.. Enumerable.Range(0, 8).Select(_ => commits[random.Next(commits.Count)]),
            .. Enumerable.Range(0, 200).Select(_ => Hash20.Random())]).ToList();
        int connected = 0, asked = 0;
        await Task.WhenAll(haves.Select(async h =>
        {
            await using var peer = await GitTorrentAttacker.HandshakeAsync(seeder, tip, From);
            if (peer is null)
            {
                return;
            }
            Interlocked.Increment(ref connected);
            if (await GitTorrentAttacker.AskAsync(peer, tip, h))
            {
                Interlocked.Increment(ref asked);
                await Task.Delay(500);
            }
        }));
        Console.Error.WriteLine($"flood: {connected} of 200 handshakes accepted, {asked} requests sent");
    }

    /// <summary>600 handshaked connections that then say nothing, held until stopped.</summary>
    private static async Task IdleAsync(IPEndPoint seeder, Hash20 tip, Action ready, CancellationToken stop)
    {
        var peers = await Task.WhenAll(Enumerable.Range(0, 600).Select(_ => GitTorrentAttacker.HandshakeAsync(seeder, tip, From)));
        Console.Error.WriteLine($"idle: {peers.Count(p => p is not null)} of 600 handshakes accepted");
        ready();
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var peer in peers.OfType<ScriptedPeer>())
        {
            await peer.DisposeAsync();
        }
    }

    /// <summary>Four connections sending 1 MiB extension handshakes of 140k keys in descending order, again and again, until stopped.</summary>
    private static async Task BencodeAsync(IPEndPoint seeder, Hash20 tip, Action ready, CancellationToken stop)
    {
        var message = ScriptedPeer.Message(MessageId.Extended, [0, .. AttackPayloads.DescendingDictionary(140_000)]);
        var sent = 0L;
        ready();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var peer = await GitTorrentAttacker.HandshakeAsync(seeder, tip, From);
                if (peer is null)
                {
                    await Task.Delay(100, CancellationToken.None);
                    continue;
                }
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await peer.SendAsync(message);
                        Interlocked.Increment(ref sent);
                    }
                }
                catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
                {
                    // closed by the seeder: connect again
                }
            }
        }));
        Console.Error.WriteLine($"bencode: {sent} dictionaries sent");
    }

    /// <summary>10,000 announce_peer queries for distinct infohashes from one address, with a valid token.</summary>
    private static async Task AnnounceAsync(IPEndPoint dht, Action ready)
    {
        using var client = new RawKrpcClient(From);
        var answer = await client.QueryAsync(dht, KrpcMethod.GetPeers, new BDictionary { ["info_hash"] = Hash20.Random().ToArray() });
        var token = answer.Body?.Get<BString>("token")?.Span.ToArray() ?? [];
        ready();
        int accepted = 0, refused = 0;
        using var listening = new CancellationTokenSource();
        var replies = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var reply = await client.ReceiveAnyReplyAsync(listening.Token);
                    Interlocked.Increment(ref reply.Type == KrpcMessageType.Response ? ref accepted : ref refused);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 10_000; i++)
        {
            buffer.ResetWrittenCount();
            KrpcWriter.WriteQuery(buffer, [(byte)(i >> 8), (byte)i], KrpcMethod.AnnouncePeer, new BDictionary
            {
                ["id"] = client.Id.ToArray(), ["info_hash"] = Hash20.Random().ToArray(), ["port"] = 6881, ["token"] = token,
            }, default);
            client.SendRaw(buffer.WrittenSpan, dht);
            if (i % 100 == 99)
            {
                await Task.Delay(1); // a burst of 100, then a breath: the socket buffers are not the thing measured
            }
        }
        await Task.Delay(1000);
        await listening.CancelAsync();
        await replies;
        Console.Error.WriteLine($"announce: 10000 sent, {accepted} answered, {refused} errors, {10_000 - accepted - refused} unanswered");
    }

    /// <summary>100,000 malformed datagrams (random bytes, 1 to 1,400 long, some bencode-looking) to the DHT port.</summary>
    private static async Task GarbageAsync(IPEndPoint dht, Action ready)
    {
        using var client = new RawKrpcClient(From);
        var random = new Random(7);
        var datagram = new byte[1400];
        ready();
        for (var i = 0; i < 100_000; i++)
        {
            var length = random.Next(1, datagram.Length);
            random.NextBytes(datagram.AsSpan(0, length));
            if (i % 2 == 0)
            {
                datagram[0] = (byte)'d'; // looks like a dictionary, to reach the parser
            }
            client.SendRaw(datagram.AsSpan(0, length), dht);
            if (i % 100 == 99)
            {
                await Task.Delay(1);
            }
        }
    }
}
