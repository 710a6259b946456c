using System.Net;
using System.Text;
using GitTorrent.Engine.Torrents;

namespace GitTorrent.Engine.Tests.Torrents;

public sealed class MetainfoTests
{
    [Theory]
    [InlineData(1L, 16 * 1024)]
    [InlineData(2000L * 16 * 1024, 16 * 1024)]
    [InlineData((2000L * 16 * 1024) + 1, 32 * 1024)]
    [InlineData(200L * 1024 * 1024, 128 * 1024)]
    [InlineData(1024L * 1024 * 1024, 1024 * 1024)]
    [InlineData(100L * 1024 * 1024 * 1024, 4 * 1024 * 1024)]
    public void Piece_length_aims_at_up_to_2000_pieces_within_16KiB_and_4MiB(long size, int expected) =>
        Assert.Equal(expected, TorrentMetainfo.ChoosePieceLength(size));

    [Fact]
    public async Task Create_hashes_pieces_and_round_trips_through_bytes()
    {
        var data = new byte[40_000];
        new Random(1).NextBytes(data);
        var metainfo = await TorrentMetainfo.CreateAsync(new MemoryStream(data), "x.pack",
            urlList: ["http://127.0.0.1:1/x.pack"]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(16 * 1024, metainfo.PieceLength);
        Assert.Equal(3, metainfo.PieceCount);
        Assert.Equal(40_000 - (2 * 16384), metainfo.GetPieceSize(2));
        Assert.Equal(Hash20.Sha1(data.AsSpan(16384, 16384)), metainfo.GetPieceHash(1));
        Assert.Equal(Hash20.Sha1(metainfo.InfoBytes.Span), metainfo.InfoHash);

        var parsed = TorrentMetainfo.Parse(metainfo.ToBytes());
        Assert.Equal(metainfo.InfoHash, parsed.InfoHash);
        Assert.Equal("x.pack", parsed.Name);
        Assert.Equal(["http://127.0.0.1:1/x.pack"], parsed.UrlList);
        Assert.StartsWith("d4:infod6:lengthi40000e4:name6:x.pack12:piece lengthi16384e6:pieces60:",
            Encoding.ASCII.GetString(metainfo.ToBytes()));
    }

    [Fact]
    public void Infohash_is_computed_on_the_received_bytes_even_with_unsorted_keys()
    {
        var pieces = new string('a', 20);
        var info = $"d4:name1:x6:lengthi5e12:piece lengthi16384e6:pieces20:{pieces}e";
        var torrent = Encoding.ASCII.GetBytes($"d4:info{info}e");
        var metainfo = TorrentMetainfo.Parse(torrent);
        Assert.Equal(Hash20.Sha1(Encoding.ASCII.GetBytes(info)), metainfo.InfoHash);
    }

    [Theory]
    [InlineData("d4:infod5:filesle4:name1:x12:piece lengthi16384e6:pieces0:ee")]
    [InlineData("d4:infod6:lengthi5e4:name2:..12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee")]
    [InlineData("d4:infod6:lengthi5e4:name3:a/b12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee")]
    [InlineData("d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces19:aaaaaaaaaaaaaaaaaaaee")]
    [InlineData("d4:infod6:lengthi-5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee")]
    [InlineData("d8:announce3:urle")]
    [InlineData("garbage")]
    public void Parse_rejects_unusable_torrents(string text) =>
        Assert.Throws<GitTorrentException>(() => TorrentMetainfo.Parse(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Magnet_parses_hex_base32_and_peers()
    {
        var hex = MagnetLink.Parse("magnet:?xt=urn:btih:0102030405060708090A0B0C0D0E0F1011121314&dn=x%20y&tr=http%3A%2F%2Ft%2Fa&x.pe=127.0.0.1:6881");
        Assert.Equal(Hash20.Parse("0102030405060708090a0b0c0d0e0f1011121314"), hex.InfoHash);
        Assert.Equal("x y", hex.DisplayName);
        Assert.Equal(["http://t/a"], hex.Trackers);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6881), Assert.Single(hex.Peers));

        // base32 of 0x00 * 19 + 0x01
        var b32 = MagnetLink.Parse("magnet:?xt=urn:btih:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB");
        Assert.Equal(Hash20.Parse("0000000000000000000000000000000000000001"), b32.InfoHash);

        Assert.Equal(hex.InfoHash, MagnetLink.Parse(hex.ToString()).InfoHash);
        Assert.False(MagnetLink.TryParse("magnet:?dn=nohash", out _));
        Assert.False(MagnetLink.TryParse("magnet:?xt=urn:btih:xyz", out _));
        Assert.False(MagnetLink.TryParse("http://example.com", out _));
    }
}
