using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CsCheck;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class KrpcMessageTests
{
    private static ReadOnlyMemory<byte> Bytes(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Decodes_the_bep5_ping_query_and_response()
    {
        Assert.True(KrpcMessage.TryDecode(Bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"), out var q));
        Assert.Equal(KrpcMessageType.Query, q.Type);
        Assert.Equal(KrpcMethod.Ping, q.Method);
        Assert.Equal("aa", Encoding.ASCII.GetString(q.TransactionId.Span));
        Assert.Equal(new Hash20(Encoding.ASCII.GetBytes("abcdefghij0123456789")), q.SenderId);

        Assert.True(KrpcMessage.TryDecode(Bytes("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"), out var r));
        Assert.Equal(KrpcMessageType.Response, r.Type);
        Assert.Equal(new Hash20(Encoding.ASCII.GetBytes("mnopqrstuvwxyz123456")), r.SenderId);
    }

    [Fact]
    public void Decodes_the_bep5_error_and_bep42_ip()
    {
        Assert.True(KrpcMessage.TryDecode(Bytes("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"), out var e));
        Assert.Equal(KrpcMessageType.Error, e.Type);
        Assert.Equal(201, e.ErrorCode);
        Assert.Equal("A Generic Error Ocurred", e.ErrorMessage);

        var ip = "\x7f\x00\x00\x01\x1a\xe1";
        Assert.True(KrpcMessage.TryDecode(Bytes($"d2:ip6:{ip}1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"), out var r));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6881), r.ObservedAddress);
    }

    [Fact]
    public void Writer_output_is_what_bep5_shows()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var args = new BDictionary { ["id"] = Encoding.ASCII.GetBytes("abcdefghij0123456789"), ["target"] = Encoding.ASCII.GetBytes("mnopqrstuvwxyz123456") };
        KrpcWriter.WriteQuery(buffer, "aa"u8, KrpcMethod.FindNode, args, default);
        Assert.Equal("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
            Encoding.ASCII.GetString(buffer.WrittenSpan));

        buffer.ResetWrittenCount();
        KrpcWriter.WriteError(buffer, "aa"u8, 201, "A Generic Error Ocurred", default);
        Assert.Equal("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee", Encoding.ASCII.GetString(buffer.WrittenSpan));
    }

    public static TheoryData<string> Malformed => new()
    {
        "",
        "d",
        "de",
        "le",
        "i42e",
        "d1:t2:aa1:y1:qe",                                      // query without q and a
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe",    // no t
        "d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe", // 19-byte id
        "d1:ad2:idi5ee1:q4:ping1:t2:aa1:y1:qe",                 // id not a string
        "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:xe",      // unknown y
        "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y2:rre",     // y too long
        "d1:eli201ee1:t2:aa1:y1:ee".Replace("li201e", "le"),    // empty error list
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q",  // truncated
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t99999999:aa1:y1:qe", // huge length
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qeXX", // trailing bytes
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t17:aaaaaaaaaaaaaaaaa1:y1:qe", // long t
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:t2:aa1:y1:qe", // duplicate key
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qi-0ee",
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q" + new string('l', 100) + new string('e', 100) + "e",
        "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:ri9999999999999999999999ee",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_datagrams_are_rejected(string datagram)
    {
        Assert.False(KrpcMessage.TryDecode(Bytes(datagram), out _));
    }

    [Fact]
    public void Oversized_datagrams_are_rejected()
    {
        var big = "d1:ad2:id20:abcdefghij01234567892:zz3000:" + new string('x', 3000) + "e1:q4:ping1:t2:aa1:y1:qe";
        Assert.False(KrpcMessage.TryDecode(Bytes(big), out _));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            KrpcMessage.TryDecode(bytes, out _);
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_queries_never_throw()
    {
        var valid = Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe");
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, valid.Length]).Sample((at, b, cut) =>
        {
            var copy = (byte[])valid.Clone();
            copy[at] = b;
            KrpcMessage.TryDecode(copy.AsMemory(0, cut), out _);
        }, iter: 20_000);
    }

    [Fact]
    public void Queries_round_trip_through_writer_and_reader()
    {
        var methods = new[] { KrpcMethod.Ping, KrpcMethod.FindNode, KrpcMethod.GetPeers, KrpcMethod.AnnouncePeer, KrpcMethod.Get, KrpcMethod.Put };
        Gen.Select(Gen.Byte.Array[20], Gen.Byte.Array[1, 8], Gen.Int[0, methods.Length - 1], Gen.Byte.Array[0, 60]).Sample((id, tid, m, extra) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            var args = new BDictionary { ["id"] = id, ["x"] = extra };
            KrpcWriter.WriteQuery(buffer, tid, methods[m], args, "GT\0\x01"u8);
            return KrpcMessage.TryDecode(buffer.WrittenMemory, out var message)
                && message.Type == KrpcMessageType.Query
                && message.Method == methods[m]
                && message.TransactionId.Span.SequenceEqual(tid)
                && message.SenderId == new Hash20(id)
                && message.Body!.Get<BString>("x")!.Span.SequenceEqual(extra)
                && message.Version.Span.SequenceEqual("GT\0\x01"u8);
        }, iter: 2000);
    }

    [Fact]
    public void Responses_round_trip_with_the_requester_address()
    {
        Gen.Select(Gen.Byte.Array[20], Gen.UInt, Gen.UShort[1, ushort.MaxValue]).Sample((id, ip, port) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            var requester = new IPEndPoint(new IPAddress(BitConverter.GetBytes(ip)), port);
            KrpcWriter.WriteResponse(buffer, "xy"u8, new BDictionary { ["id"] = id }, requester, default);
            return KrpcMessage.TryDecode(buffer.WrittenMemory, out var message)
                && message.Type == KrpcMessageType.Response
                && requester.Equals(message.ObservedAddress)
                && message.SenderId == new Hash20(id);
        }, iter: 2000);
    }

    [Fact]
    public void Compact_nodes_round_trip_for_both_families()
    {
        var contacts = new List<DhtContact>
        {
            new(Hash20.Random(), new IPEndPoint(IPAddress.Parse("10.1.2.3"), 6881)),
            new(Hash20.Random(), new IPEndPoint(IPAddress.Parse("2001:db8::7"), 51413)),
            new(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, 1)),
        };
        var v4 = CompactEncoding.EncodeNodes(contacts, AddressFamily.InterNetwork);
        var v6 = CompactEncoding.EncodeNodes(contacts, AddressFamily.InterNetworkV6);
        Assert.Equal(2 * CompactEncoding.NodeV4Length, v4.Length);
        Assert.Equal(CompactEncoding.NodeV6Length, v6.Length);
        var decoded = new List<DhtContact>();
        Assert.True(CompactEncoding.TryDecodeNodes(v4, AddressFamily.InterNetwork, decoded));
        Assert.True(CompactEncoding.TryDecodeNodes(v6, AddressFamily.InterNetworkV6, decoded));
        Assert.Equal(contacts.OrderBy(c => c.Id).ToList(), decoded.OrderBy(c => c.Id).ToList());
        Assert.False(CompactEncoding.TryDecodeNodes(v4.AsSpan(0, 25), AddressFamily.InterNetwork, decoded));
        Assert.False(CompactEncoding.TryReadPeer(new byte[] { 1, 2, 3, 4, 0, 0 }, out _)); // port 0
    }
}
