using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Tests.Wire;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Client;

/// <summary>ut_pex (BEP 11) between real engines on 127.0.0.1, and hostile ut_pex input from a scripted peer.</summary>
public sealed class PeerExchangeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_leecher_that_knows_only_the_seeder_learns_a_finished_leecher_and_downloads_from_it()
    {
        using var files = new TestFiles();
        var source = files.Create("pack.bin", 8L * 1024 * 1024, seed: 5);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        var options = SwarmTests.LoopbackOptions();
        options.AdaptiveSeeding = true;
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        // One discovery per leecher: a shared StaticPeerDiscovery would hand out every announcer.
        StaticPeerDiscovery OnlySeeder() => new([seeder.LocalEndPoint!]);

        await using var first = new TorrentEngine(SwarmTests.LoopbackOptions());
        await first.StartAsync(default);
        await first.DownloadAsync(metainfo, files.PathOf("first.bin"), OnlySeeder(), null, default).WaitAsync(Timeout);
        var afterFirst = seeder.GetStatistics().Uploaded;

        await using var second = new TorrentEngine(SwarmTests.LoopbackOptions());
        await second.StartAsync(default);
        // By infohash, like a clone: the seeder's ut_pex arrives before the info dictionary does.
        await second.DownloadAsync(metainfo.InfoHash, files.PathOf("second.bin"), OnlySeeder(), null, default).WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, files.PathOf("second.bin")));
        var fromFirst = second.GetDownloadedByPeer(metainfo.InfoHash).GetValueOrDefault(first.LocalEndPoint!);
        var seederForSecond = seeder.GetStatistics().Uploaded - afterFirst;
        // The finished leecher stays connected to the seeder, which tells the newcomer about it and shows it only
        // pieces nobody has (none): the newcomer takes (nearly) everything from the finished leecher.
        Assert.True(fromFirst >= metainfo.Length / 2, $"from the first leecher {fromFirst}, from the seeder {seederForSecond}");
        Assert.True(seederForSecond <= metainfo.Length / 2, $"seeder uploaded {seederForSecond} for the second leecher");
        Assert.True(seeder.Extensions.Find<UtPexExtension>() is not null);
    }

    [Fact]
    public async Task A_private_torrent_exchanges_no_peers()
    {
        using var files = new TestFiles();
        var source = files.Create("private.bin", 4L * 1024 * 1024, seed: 7);
        var plain = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        var info = BencodeReader.DecodeDictionary(plain.InfoBytes);
        info.Add("private", 1);
        var metainfo = TorrentMetainfo.FromInfoBytes(info.Encode());
        Assert.True(metainfo.IsPrivate);
        Assert.False(plain.IsPrivate);
        var options = SwarmTests.LoopbackOptions();
        options.AdaptiveSeeding = true;
        await using var seeder = new TorrentEngine(options);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);
        await using var first = new TorrentEngine(SwarmTests.LoopbackOptions());
        await first.StartAsync(default);
        await first.DownloadAsync(metainfo, files.PathOf("first.bin"), new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);
        await using var second = new TorrentEngine(SwarmTests.LoopbackOptions());
        await second.StartAsync(default);
        await second.DownloadAsync(metainfo, files.PathOf("second.bin"), new StaticPeerDiscovery([seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);

        // BEP 27: nobody told the second leecher about the first; the seeder served it (after the 1 s starve time).
        Assert.Equal(0, second.GetDownloadedByPeer(metainfo.InfoHash).GetValueOrDefault(first.LocalEndPoint!));
        Assert.Equal(0, second.Extensions.Find<UtPexExtension>()!.MessagesReceived);
        Assert.True(TestFiles.SameContent(source, files.PathOf("second.bin")));
    }

    [Fact]
    public async Task Hostile_pex_is_dropped_and_counted_and_dials_are_bounded()
    {
        using var files = new TestFiles();
        var source = files.Create("x.bin", 1024 * 1024, seed: 9);
        var metainfo = await TorrentMetainfo.CreateAsync(source, pieceLength: 32 * 1024).WaitAsync(Timeout);
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var download = leecher.DownloadAsync(metainfo, files.PathOf("x.out"), null, null, default);
        var pex = leecher.Extensions.Find<UtPexExtension>()!;

        // A listener standing in for the advertised peers: Linux routes all of 127/8 to it.
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sink.Bind(new IPEndPoint(IPAddress.Any, 0));
        sink.Listen(1000);
        var sinkPort = ((IPEndPoint)sink.LocalEndPoint!).Port;
        var accepted = 0;
        var accepting = Task.Run(async () =>
        {
            var held = new List<Socket>();
            try
            {
                while (true)
                {
                    held.Add(await sink.AcceptAsync());
                    Interlocked.Increment(ref accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                held.ForEach(s => s.Dispose());
            }
        });

        await using var peer = await ScriptedPeer.ConnectAsync(leecher.LocalEndPoint!);
        await peer.SendHandshakeAsync(metainfo.InfoHash);
        Assert.NotNull(await peer.ReadExactlyAsync(Handshake.Length));
        await peer.SendAsync(Extended(0, new BDictionary { { "m", new BDictionary { { "ut_pex", 7 } } }, { "p", 1 } }.Encode()));
        var pexId = (await WaitForHandshakeAsync(peer)).GetDictionary("m")!.GetInteger("ut_pex");
        Assert.NotNull(pexId);
        var id = (byte)pexId.Value;

        // Not a dictionary, a list of the wrong length, an integer list: dropped, counted, the connection stays.
        await peer.SendAsync(Extended(id, "garbage"u8.ToArray()));
        await peer.SendAsync(Extended(id, "d5:added7:1234567e"u8.ToArray()));
        await peer.SendAsync(Extended(id, "d5:addedi3ee"u8.ToArray()));
        // Our own address and an unusable one: ignored, never dialled.
        await peer.SendAsync(Extended(id, new PexMessage([new PexPeer(leecher.LocalEndPoint!, 0),
            new PexPeer(IPEndPoint.Parse("0.0.0.0:80"), 0)], []).Encode()));
        await WaitUntilAsync(() => pex.MessagesReceived == 4);
        Assert.Equal(3, pex.MalformedMessages);
        Assert.Equal(2, pex.IgnoredPeers);

        // 1000 distinct peers: 200 are read, and only a bounded number are dialled at once. The message is decided
        // in one step (its ignored peers are added to the counter at once), so once the counter moves, every peer of
        // it is either ignored or being dialled: 1000 - 984 = 16 dials, and the sink sees each of them.
        var many = Enumerable.Range(0, 1000)
            .Select(i => new PexPeer(new IPEndPoint(new IPAddress([127, 1, (byte)(i >> 8), (byte)i]), sinkPort), 0)).ToList();
        await peer.SendAsync(Extended(id, new PexMessage(many, []).Encode()));
        await WaitUntilAsync(() => pex.IgnoredPeers > 2);
        Assert.Equal(5, pex.MessagesReceived);
        Assert.Equal(2 + 1000 - 16, pex.IgnoredPeers);
        await WaitUntilAsync(() => Volatile.Read(ref accepted) >= 16);
        Assert.Equal(16, Volatile.Read(ref accepted)); // the dials in flight wait out their handshake timeout

        Assert.False(await peer.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(300)));
        Assert.False(download.IsCompleted);
        sink.Close();
        await accepting;
    }

    private static async Task<BDictionary> WaitForHandshakeAsync(ScriptedPeer peer)
    {
        while (true)
        {
            var frame = await peer.ReadMessageAsync() ?? throw new InvalidOperationException("closed before the extension handshake");
            if (frame.Id == MessageId.Extended && frame.Payload[0] == 0)
            {
                return BencodeReader.DecodeDictionary(frame.Payload.AsMemory(1), BencodeReadOptions.Lenient);
            }
        }
    }

    internal static byte[] Extended(byte id, byte[] body) => ScriptedPeer.Message(MessageId.Extended, [id, .. body]);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in 20 s");
            }
            await Task.Delay(20);
        }
    }
}
