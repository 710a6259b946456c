using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Messages;
using Microsoft.Extensions.Time.Testing;

using GitTorrent.TestSupport;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>A scripted peer breaks the protocol; the engine drops it and keeps serving everybody else.</summary>
public sealed partial class MisbehavingPeerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestFiles _files = new();
    private TorrentEngine _seeder = null!;
    private TorrentMetainfo _metainfo = null!;
    private string _source = null!;

    public async Task InitializeAsync()
    {
        _source = _files.Create("seed.bin", 256 * 1024, seed: 3);
        _metainfo = await TorrentMetainfo.CreateAsync(_source, pieceLength: 16 * 1024).WaitAsync(Timeout);
        var options = SwarmTests.LoopbackOptions();
        options.HandshakeTimeout = TimeSpan.FromSeconds(1);
        options.PeerIdleTimeout = TimeSpan.FromSeconds(2);
        _seeder = new TorrentEngine(options);
        await _seeder.StartAsync(default);
        await _seeder.AddSeedAsync(_metainfo, _source, default).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _seeder.DisposeAsync();
        _files.Dispose();
    }

    /// <summary>After the abuse, an honest leecher still gets the whole file from the same seeder.</summary>
    private async Task AssertSeederStillServesAsync()
    {
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = _files.PathOf(Guid.NewGuid().ToString("N"));
        await leecher.DownloadAsync(_metainfo, target, new StaticPeerDiscovery([_seeder.LocalEndPoint!]), null, default)
            .WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(_source, target));
    }

    private async Task<ScriptedPeer> HandshakenPeerAsync()
    {
        var peer = await ScriptedPeer.ConnectAsync(_seeder.LocalEndPoint!);
        await peer.SendHandshakeAsync(_metainfo.InfoHash);
        var reply = await peer.ReadExactlyAsync(Handshake.Length);
        Assert.NotNull(reply);
        Assert.True(Handshake.TryDecode(reply, out var handshake));
        Assert.Equal(_metainfo.InfoHash, handshake.InfoHash);
        return peer;
    }

    [Fact]
    public async Task Wrong_infohash_is_refused_without_a_handshake()
    {
        await using var peer = await ScriptedPeer.ConnectAsync(_seeder.LocalEndPoint!);
        await peer.SendHandshakeAsync(Hash20.Parse("ffffffffffffffffffffffffffffffffffffffff"));
        Assert.Null(await peer.ReadExactlyAsync(1));
        await AssertSeederStillServesAsync();
    }

    [Fact]
    public async Task Length_prefix_over_the_limit_drops_the_peer()
    {
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync([0x7f, 0xff, 0xff, 0xff, 20]);
        Assert.True(await peer.IsClosedByRemoteAsync(Timeout));
        await AssertSeederStillServesAsync();
    }

    [Fact]
    public async Task Piece_message_longer_than_one_block_drops_the_peer()
    {
        await using var peer = await HandshakenPeerAsync();
        var head = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(head, WireLimits.MaxPieceMessageLength + 1);
        head[4] = (byte)MessageId.Piece;
        await peer.SendAsync(head);
        Assert.True(await peer.IsClosedByRemoteAsync(Timeout));
    }

    [Fact]
    public async Task Request_outside_the_torrent_drops_the_peer()
    {
        await using var peer = await HandshakenPeerAsync();
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Interested));
        var request = new byte[17];
        new BlockRequest(_metainfo.PieceCount + 5, 0, 16384).EncodeFrame(request, MessageId.Request);
        await peer.SendAsync(request);
        Assert.True(await peer.IsClosedByRemoteAsync(Timeout));
        await AssertSeederStillServesAsync();
    }

    [Fact]
    public async Task Bitfield_with_spare_bits_set_drops_the_peer()
    {
        await using var peer = await HandshakenPeerAsync();
        var bits = new byte[Bitfield.ByteLength(_metainfo.PieceCount) + 1];
        bits[^1] = 1;
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, bits));
        Assert.True(await peer.IsClosedByRemoteAsync(Timeout));
    }

    [Fact]
    public async Task Slow_loris_handshake_is_dropped_after_the_handshake_timeout()
    {
        await using var peer = await ScriptedPeer.ConnectAsync(_seeder.LocalEndPoint!);
        await peer.SendAsync([19, (byte)'B', (byte)'i']);
        Assert.True(await peer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(10)));
        await AssertSeederStillServesAsync();
    }

    /// <summary>
    /// A frame dripped a byte at a time does not count as traffic: on a fake clock, a byte every second keeps nothing
    /// alive, and the connection closes once the idle timeout has passed since the last whole message.
    /// </summary>
    [Fact]
    public async Task Slow_loris_frame_is_dropped_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = SwarmTests.LoopbackOptions();
        options.PeerIdleTimeout = TimeSpan.FromSeconds(10);
        await using var seeder = new TorrentEngine(options, null, time);
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(_metainfo, _source, default).WaitAsync(Timeout);
        await using var peer = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await peer.SendHandshakeAsync(_metainfo.InfoHash);
        Assert.NotNull(await peer.ReadExactlyAsync(Handshake.Length));

        await peer.SendAsync([0, 0, 0, 13, 6, 0]); // a request that never finishes: 11 bytes still to come
        for (var second = 1; second <= 10; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            // Within the timeout: still open (a window that can only miss a close, never invent one).
            Assert.False(await peer.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(100)), $"closed after {second} s");
            await peer.SendAsync([0]); // one more byte of the frame
        }
        // Past the timeout (the housekeeping tick runs every fake second): closed, though a byte came every second.
        var closed = false;
        for (var i = 0; i < 5 && !closed; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            closed = await peer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(2));
        }
        Assert.True(closed);
        Assert.Equal(1, seeder.GetConnectionStatistics().IdleClosed);
    }

    [Fact]
    public async Task Unsolicited_pieces_drop_the_peer_and_leecher_finishes_elsewhere()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = _files.PathOf("unsolicited.bin");
        var download = leecher.DownloadAsync(_metainfo, target,
            new StaticPeerDiscovery([(IPEndPoint)listener.LocalEndPoint!]), null, default);

        await using var bad = await ScriptedPeer.AcceptAsync(listener);
        Assert.NotNull(await bad.ReadExactlyAsync(Handshake.Length));
        await bad.SendHandshakeAsync(_metainfo.InfoHash, 0);
        var all = new byte[Bitfield.ByteLength(_metainfo.PieceCount)];
        Array.Fill(all, (byte)0xff);
        await bad.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, all));
        var block = new byte[16384];
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await bad.SendAsync(ScriptedPeer.Piece(i % _metainfo.PieceCount, 0, block));
            }
            catch (IOException)
            {
                break;
            }
        }
        Assert.True(await bad.IsClosedByRemoteAsync(Timeout));
        Assert.False(download.IsCompleted);

        await leecher.ConnectToPeerAsync(_metainfo.InfoHash, _seeder.LocalEndPoint!, default).WaitAsync(Timeout);
        await download.WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(_source, target));
    }

    [Fact]
    public async Task Peer_sending_bad_pieces_is_banned_after_two_strikes()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var badEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = _files.PathOf("strikes.bin");
        var download = leecher.DownloadAsync(_metainfo, target, null, null, default);
        var dial = leecher.ConnectToPeerAsync(_metainfo.InfoHash, badEndPoint, default);

        await using var bad = await ScriptedPeer.AcceptAsync(listener);
        Assert.NotNull(await bad.ReadExactlyAsync(Handshake.Length));
        await bad.SendHandshakeAsync(_metainfo.InfoHash, 0);
        await dial.WaitAsync(Timeout);
        var all = new byte[Bitfield.ByteLength(_metainfo.PieceCount)];
        Array.Fill(all, (byte)0xff);
        await bad.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, all));
        await bad.SendAsync(ScriptedPeer.Message(MessageId.Unchoke));

        // Answer every request with garbage of the right size until the leecher hangs up.
        var answered = await bad.AnswerRequestsWithZerosAsync();
        Assert.True(answered >= 2, $"only {answered} blocks were requested");
        // The socket closes before the session has finished removing the peer: wait for it, within the timeout.
        var deadline = DateTime.UtcNow + Timeout;
        while (leecher.GetStatistics(_metainfo.InfoHash)!.Peers.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Empty(leecher.GetStatistics(_metainfo.InfoHash)!.Peers);

        // Banned: a reconnect with the same peer id is refused.
        var retry = leecher.ConnectToPeerAsync(_metainfo.InfoHash, badEndPoint, default);
        await using (var again = await ScriptedPeer.AcceptAsync(listener))
        {
            Assert.NotNull(await again.ReadExactlyAsync(Handshake.Length));
            await again.SendHandshakeAsync(_metainfo.InfoHash, 0);
            await retry.WaitAsync(Timeout);
            Assert.True(await again.IsClosedByRemoteAsync(Timeout));
        }

        await leecher.ConnectToPeerAsync(_metainfo.InfoHash, _seeder.LocalEndPoint!, default).WaitAsync(Timeout);
        await download.WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(_source, target));
    }

    [Fact]
    public async Task Peer_that_never_answers_is_snubbed_its_requests_cancelled_and_the_download_finishes()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var options = SwarmTests.LoopbackOptions();
        options.SnubTimeout = TimeSpan.FromSeconds(1);
        await using var leecher = new TorrentEngine(options);
        await leecher.StartAsync(default);
        var target = _files.PathOf("snub.bin");
        var download = leecher.DownloadAsync(_metainfo, target, null, null, default);
        var dial = leecher.ConnectToPeerAsync(_metainfo.InfoHash, (IPEndPoint)listener.LocalEndPoint!, default);

        await using var stuck = await ScriptedPeer.AcceptAsync(listener);
        Assert.NotNull(await stuck.ReadExactlyAsync(Handshake.Length));
        await stuck.SendHandshakeAsync(_metainfo.InfoHash, 0);
        await dial.WaitAsync(Timeout);
        var all = new byte[Bitfield.ByteLength(_metainfo.PieceCount)];
        Array.Fill(all, (byte)0xff);
        await stuck.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, all));
        await stuck.SendAsync(ScriptedPeer.Message(MessageId.Unchoke));

        var requested = new HashSet<BlockRequest>();
        var cancelled = new HashSet<BlockRequest>();
        while (cancelled.Count == 0 && await stuck.ReadMessageAsync() is { } message)
        {
            if (message.Id == MessageId.Request && BlockRequest.TryDecode(message.Payload, out var r))
            {
                requested.Add(r);
            }
            else if (message.Id == MessageId.Cancel && BlockRequest.TryDecode(message.Payload, out var c))
            {
                cancelled.Add(c);
            }
        }
        Assert.NotEmpty(requested);
        Assert.Subset(requested, cancelled);

        await leecher.ConnectToPeerAsync(_metainfo.InfoHash, _seeder.LocalEndPoint!, default).WaitAsync(Timeout);
        await download.WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(_source, target));
    }

    [Fact]
    public async Task Idle_connection_gets_keep_alives()
    {
        var options = SwarmTests.LoopbackOptions();
        options.KeepAliveInterval = TimeSpan.FromSeconds(1);
        await using var engine = new TorrentEngine(options);
        await engine.StartAsync(default);
        var copy = _files.PathOf("copy-for-keepalive.bin");
        File.Copy(_source, copy);
        await engine.AddSeedAsync(_metainfo, copy, default).WaitAsync(Timeout);
        await using var peer = await ScriptedPeer.ConnectAsync(engine.LocalEndPoint!);
        await peer.SendHandshakeAsync(_metainfo.InfoHash, 0);
        Assert.NotNull(await peer.ReadExactlyAsync(Handshake.Length));
        var bitfield = await peer.ReadMessageAsync();
        Assert.Equal(MessageId.Bitfield, bitfield?.Id);
        var next = await peer.ReadMessageAsync();
        Assert.Equal((MessageId)255, next?.Id); // keep-alive
    }

    [Fact]
    public async Task Peer_that_floods_metadata_requests_without_reading_is_dropped()
    {
        var big = _files.Create("many-pieces.bin", 1500L * 16 * 1024, seed: 13);
        var metainfo = await TorrentMetainfo.CreateAsync(big, pieceLength: 16 * 1024).WaitAsync(Timeout);
        Assert.True(metainfo.InfoBytes.Length > 16 * 1024);
        // Default timeouts (2 min idle): only the send-queue cap can drop this peer within the test's timeout.
        await using var seeder = new TorrentEngine(SwarmTests.LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, big, default).WaitAsync(Timeout);

        await using var peer = await ScriptedPeer.ConnectAsync(seeder.LocalEndPoint!);
        await peer.SendHandshakeAsync(metainfo.InfoHash);
        Assert.NotNull(await peer.ReadExactlyAsync(Handshake.Length));
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Extended, [0, .. "d1:md11:ut_metadatai1eee"u8]));
        var request = ScriptedPeer.Message(MessageId.Extended, [1, .. "d8:msg_typei0e5:piecei0ee"u8]);
        var flood = Enumerable.Repeat(request, 2000).SelectMany(b => b).ToArray(); // asks for 32 MB of replies
        try
        {
            await peer.SendAsync(flood);
        }
        catch (IOException)
        {
            // dropped while we were still sending: fine
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (seeder.GetStatistics(metainfo.InfoHash)!.Peers.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Empty(seeder.GetStatistics(metainfo.InfoHash)!.Peers);
    }

    [Fact]
    public async Task Flood_of_cancels_for_blocks_never_requested_is_harmless()
    {
        await using var peer = await HandshakenPeerAsync();
        var cancel = new byte[17];
        var flood = new byte[17 * 20_000];
        for (var i = 0; i < 20_000; i++)
        {
            new BlockRequest(i % _metainfo.PieceCount, (i / _metainfo.PieceCount) * 16, 16).EncodeFrame(cancel, MessageId.Cancel);
            cancel.CopyTo(flood, i * 17);
        }
        await peer.SendAsync(flood);
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Interested));
        (MessageId Id, byte[] Payload)? message;
        do
        {
            message = await peer.ReadMessageAsync();
        }
        while (message is { Id: not MessageId.Unchoke });
        Assert.NotNull(message);

        var request = new byte[17];
        new BlockRequest(1, 0, 16384).EncodeFrame(request, MessageId.Request);
        await peer.SendAsync(request);
        do
        {
            message = await peer.ReadMessageAsync();
        }
        while (message is { Id: not MessageId.Piece });
        Assert.NotNull(message);
        var expected = new byte[16384];
        using (var file = File.OpenRead(_source))
        {
            file.Position = 16384;
            file.ReadExactly(expected);
        }
        Assert.Equal(expected, message.Value.Payload[8..]);
    }

    [Fact]
    public async Task Peer_serving_wrong_metadata_is_dropped_and_the_magnet_download_uses_another()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = _files.PathOf("magnet-liar.bin");
        var download = leecher.DownloadAsync(_metainfo.InfoHash, target,
            new StaticPeerDiscovery([(IPEndPoint)listener.LocalEndPoint!]), null, default);

        var size = _metainfo.InfoBytes.Length;
        await using (var liar = await ScriptedPeer.AcceptAsync(listener))
        {
            Assert.NotNull(await liar.ReadExactlyAsync(Handshake.Length));
            await liar.SendHandshakeAsync(_metainfo.InfoHash);
            await liar.SendAsync(ScriptedPeer.Message(MessageId.Extended,
                [0, .. System.Text.Encoding.ASCII.GetBytes($"d1:md11:ut_metadatai1ee13:metadata_sizei{size}ee")]));
            var answered = 0;
            while (await liar.ReadMessageAsync() is { } message)
            {
                if (message.Id == MessageId.Extended && message.Payload[0] == 1)
                {
                    var text = System.Text.Encoding.ASCII.GetString(message.Payload, 1, message.Payload.Length - 1);
                    var piece = int.Parse(text.Split("5:piecei")[1].Split('e')[0]);
                    var length = Math.Min(16384, size - (piece * 16384));
                    var reply = System.Text.Encoding.ASCII.GetBytes($"d8:msg_typei1e5:piecei{piece}e10:total_sizei{size}ee");
                    try
                    {
                        await liar.SendAsync(ScriptedPeer.Message(MessageId.Extended, [1, .. reply, .. new byte[length]]));
                        answered++;
                    }
                    catch (IOException)
                    {
                        break;
                    }
                }
            }
            Assert.True(answered > 0);
        }
        Assert.False(download.IsCompleted);

        await leecher.ConnectToPeerAsync(_metainfo.InfoHash, _seeder.LocalEndPoint!, default).WaitAsync(Timeout);
        var got = await download.WaitAsync(Timeout);
        Assert.Equal(_metainfo.InfoHash, got.InfoHash);
        Assert.True(TestFiles.SameContent(_source, target));
    }
}
