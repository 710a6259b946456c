using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>
/// BEP 3 messages at the edges, from a scripted peer: a HAVE of a piece that does not exist, ids nobody defined, and a
/// CHOKE while our requests are outstanding (the requests are dropped, data already on its way is still taken).
/// </summary>
public sealed partial class MisbehavingPeerTests
{
    /// <summary>A handshaken peer that has told the seeder it has nothing (an all-zero bitfield).</summary>
    private async Task<ScriptedPeer> EmptyPeerAsync()
    {
        var peer = await HandshakenPeerAsync();
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, new byte[Bitfield.ByteLength(_metainfo.PieceCount)]));
        return peer;
    }

    private static byte[] Have(int piece)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)piece);
        return ScriptedPeer.Message(MessageId.Have, payload);
    }

    private static byte[] Request(BlockRequest request)
    {
        var payload = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(payload, request.Piece);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), request.Begin);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), request.Length);
        return ScriptedPeer.Message(MessageId.Request, payload);
    }

    /// <summary>Reads until a frame with <paramref name="id"/> arrives (others are skipped); null if the connection ends.</summary>
    private static async Task<byte[]?> ReadUntilAsync(ScriptedPeer peer, MessageId id)
    {
        while (await peer.ReadMessageAsync() is { } frame)
        {
            if (frame.Id == id)
            {
                return frame.Payload;
            }
        }
        return null;
    }

    [Fact]
    public async Task A_have_of_a_piece_past_the_end_drops_the_peer_and_the_last_piece_does_not()
    {
        await using (var honest = await EmptyPeerAsync())
        {
            await honest.SendAsync(Have(_metainfo.PieceCount - 1));
            Assert.False(await honest.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(300)));
        }
        await using var peer = await EmptyPeerAsync();
        await peer.SendAsync(Have(_metainfo.PieceCount));
        Assert.True(await peer.IsClosedByRemoteAsync(Timeout));
    }

    [Fact]
    public async Task Unknown_message_ids_are_ignored_and_the_connection_still_serves()
    {
        await using var peer = await EmptyPeerAsync();
        // 9 is BEP 5's port (ignored without a DHT here), 13-17 the fast extension we did not offer, 99 and 200 nobody's.
        foreach (var id in new byte[] { 9, 13, 14, 17, 99, 200 })
        {
            await peer.SendAsync(ScriptedPeer.Message((MessageId)id, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
        }
        await peer.SendAsync(ScriptedPeer.Message(MessageId.Interested));
        Assert.NotNull(await ReadUntilAsync(peer, MessageId.Unchoke));
        var wanted = new BlockRequest(3, 0, 16 * 1024);
        await peer.SendAsync(Request(wanted));
        var piece = await ReadUntilAsync(peer, MessageId.Piece);
        Assert.NotNull(piece);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(piece));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(piece.AsSpan(4)));
        var expected = new byte[16 * 1024];
        await using (var file = File.OpenRead(_source))
        {
            file.Seek(3L * 16 * 1024, SeekOrigin.Begin);
            await file.ReadExactlyAsync(expected).AsTask().WaitAsync(Timeout);
        }
        Assert.Equal(expected, piece[8..]);
    }

    /// <summary>
    /// BEP 3: a choke discards the requests outstanding with that peer. Data for them that was already on its way is
    /// allowed for (more than the fixed allowance of unsolicited blocks, without dropping the peer), and after the
    /// unchoke what did not come is asked for again, so a download from this peer alone finishes.
    /// </summary>
    [Fact]
    public async Task A_choke_with_requests_outstanding_drops_them_allows_data_in_flight_and_asks_again_after_the_unchoke()
    {
        var path = _files.Create("choked-source.bin", 2 * 1024 * 1024, seed: 22);
        var metainfo = await TorrentMetainfo.CreateAsync(path, pieceLength: 16 * 1024).WaitAsync(Timeout);
        var source = await File.ReadAllBytesAsync(path).WaitAsync(Timeout);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var options = SwarmTests.LoopbackOptions();
        options.SnubTimeout = TimeSpan.FromMinutes(10); // no snubbing: only the unchoke can bring the requests back
        await using var leecher = new TorrentEngine(options);
        await leecher.StartAsync(default);
        var target = _files.PathOf("choked.bin");
        var download = leecher.DownloadAsync(metainfo, target, new StaticPeerDiscovery([(IPEndPoint)listener.LocalEndPoint!]), null, default);

        await using var seeder = await ScriptedPeer.AcceptAsync(listener);
        Assert.NotNull(await seeder.ReadExactlyAsync(Handshake.Length));
        await seeder.SendHandshakeAsync(metainfo.InfoHash, 0);
        var all = new byte[Bitfield.ByteLength(metainfo.PieceCount)];
        Array.Fill(all, (byte)0xff);
        await seeder.SendAsync(ScriptedPeer.Message(MessageId.Bitfield, all));
        await seeder.SendAsync(ScriptedPeer.Message(MessageId.Unchoke));
        byte[] PieceOf(BlockRequest r) => ScriptedPeer.Piece(r.Piece, r.Begin, source.AsSpan((r.Piece * 16 * 1024) + r.Begin, r.Length).ToArray());

        // 40 requests in, then a choke; the data of the first 20 was "already on the wire" (more than the 16
        // unsolicited blocks any peer is allowed), the other 20 never come.
        var before = new List<BlockRequest>();
        while (before.Count < 40)
        {
            var payload = await ReadUntilAsync(seeder, MessageId.Request);
            Assert.NotNull(payload);
            Assert.True(BlockRequest.TryDecode(payload, out var r));
            before.Add(r);
        }
        await seeder.SendAsync(ScriptedPeer.Message(MessageId.Choke));
        foreach (var r in before.Take(20))
        {
            await seeder.SendAsync(PieceOf(r));
        }
        await seeder.SendAsync(ScriptedPeer.Message(MessageId.Unchoke));

        // Serve whatever is asked from now on; the download must finish from this peer alone (a dropped connection
        // would be dialled again, and nobody accepts it).
        var withheld = before.Skip(20).ToHashSet();
        var asked = new HashSet<BlockRequest>();
        while (!download.IsCompleted)
        {
            var reading = seeder.ReadMessageAsync();
            if (await Task.WhenAny(reading, download).WaitAsync(Timeout) == download || await reading is not { } frame)
            {
                break;
            }
            if (frame.Id == MessageId.Request && BlockRequest.TryDecode(frame.Payload, out var r))
            {
                asked.Add(r);
                await seeder.SendAsync(PieceOf(r));
            }
        }
        await download.WaitAsync(Timeout);
        Assert.True(TestFiles.SameContent(path, target));
        Assert.Subset(asked, withheld); // dropped by the choke, asked again after the unchoke
    }
}
