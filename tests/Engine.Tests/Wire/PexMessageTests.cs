using System.Net;
using System.Text;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class PexMessageTests
{
    [Fact]
    public void Round_trips_ipv4_and_ipv6_peers_with_flags_and_dropped()
    {
        var message = new PexMessage(
            [new PexPeer(IPEndPoint.Parse("10.1.2.3:6881"), PexPeer.SeedFlag), new PexPeer(IPEndPoint.Parse("[2001:db8::1]:51413"), 0),
             new PexPeer(new IPEndPoint(IPAddress.Parse("192.168.0.9").MapToIPv6(), 7000), PexPeer.ConnectableFlag)],
            [IPEndPoint.Parse("1.2.3.4:5"), IPEndPoint.Parse("[2001:db8::2]:6")]);

        var bytes = message.Encode();

        Assert.True(PexMessage.TryDecode(bytes, out var decoded, out var skipped));
        Assert.Equal(0, skipped);
        Assert.Equal(
            ["10.1.2.3:6881/2", "192.168.0.9:7000/16", "[2001:db8::1]:51413/0"],
            decoded.Added.Select(p => $"{p.EndPoint}/{p.Flags}"));
        Assert.Equal(["1.2.3.4:5", "[2001:db8::2]:6"], decoded.Dropped.Select(e => e.ToString()));
        var dict = BencodeReader.DecodeDictionary(bytes);
        Assert.Equal(12, dict.GetString("added")!.Length); // two compact IPv4 entries
        Assert.Equal(new byte[] { 2, 16 }, dict.GetString("added.f")!.Bytes.ToArray());
    }

    [Fact]
    public void Reads_the_wire_format_of_other_clients()
    {
        // What libtorrent sends: added with flags, empty dropped, keys in sorted order.
        byte[] payload = [.. "d5:added6:"u8, 127, 0, 0, 1, 0x1a, 0xe1, .. "7:added.f1:"u8, 0x10, .. "7:dropped0:e"u8];
        Assert.True(PexMessage.TryDecode(payload, out var message, out _));
        var peer = Assert.Single(message.Added);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:6881"), peer.EndPoint);
        Assert.Equal(PexPeer.ConnectableFlag, peer.Flags);
    }

    [Theory]
    [InlineData("not bencode at all")]
    [InlineData("li1ei2ee")]
    [InlineData("d5:added7:1234567e")]
    [InlineData("d5:addedi5ee")]
    [InlineData("d6:added617:12345678901234567e")]
    [InlineData("d7:dropped5:12345e")]
    [InlineData("d5:added6:")]
    public void Malformed_messages_are_rejected(string payload)
    {
        Assert.False(PexMessage.TryDecode(Encoding.Latin1.GetBytes(payload), out _, out _));
    }

    [Fact]
    public void Huge_lists_are_cut_at_the_limit_and_port_zero_is_skipped()
    {
        var added = new byte[1000 * 6];
        for (var i = 0; i < 1000; i++)
        {
            added[i * 6] = 10;
            added[(i * 6) + 2] = (byte)(i >> 8);
            added[(i * 6) + 3] = (byte)i;
            added[(i * 6) + 5] = (byte)(i == 0 ? 0 : 1); // the first has port 0
        }
        var dict = new BDictionary { { "added", added }, { "added.f", new byte[3] } }; // wrong-sized flags: ignored
        Assert.True(PexMessage.TryDecode(dict.Encode(), out var message, out var skipped));
        Assert.Equal(PexMessage.MaxPeersPerMessage, message.Added.Count);
        Assert.Equal(1000 - PexMessage.MaxPeersPerMessage, skipped);
        Assert.DoesNotContain(message.Added, p => p.EndPoint.Port == 0);
        Assert.All(message.Added, p => Assert.Equal(0, p.Flags));
    }
}
