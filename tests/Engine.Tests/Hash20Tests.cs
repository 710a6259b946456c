namespace GitTorrent.Engine.Tests;

public sealed class Hash20Tests
{
    [Fact]
    public void Round_trips_through_hex_and_bytes()
    {
        const string hex = "81e24205d4bac8496d3e13282c90ead5045f09ea";
        var h = Hash20.Parse(hex);
        Assert.Equal(hex, h.ToString());
        Assert.Equal(h, new Hash20(h.ToArray()));
        Assert.Equal(h, Hash20.Parse(hex.ToUpperInvariant()));
        Assert.False(Hash20.TryParse("81e2", out _));
        Assert.False(Hash20.TryParse(new string('g', 40), out _));
        Assert.True(Hash20.IsLowerHex40(hex));
        Assert.False(Hash20.IsLowerHex40(hex.ToUpperInvariant()));
    }

    [Fact]
    public void Distance_prefix_and_bits()
    {
        var a = Hash20.Parse("0000000000000000000000000000000000000000");
        var b = Hash20.Parse("0000000000000000000000000000000000000001");
        var c = Hash20.Parse("8000000000000000000000000000000000000000");
        Assert.Equal(159, a.CommonPrefixLength(b));
        Assert.Equal(0, a.CommonPrefixLength(c));
        Assert.Equal(160, a.CommonPrefixLength(a));
        Assert.True(c.GetBit(0));
        Assert.True(b.GetBit(159));
        Assert.False(b.GetBit(158));
        Assert.True(a < b && b < c);
        Assert.Equal(c, a.Xor(c));
        Assert.Equal(79, Hash20.Parse("0000000000000000000100000000000000000000").CommonPrefixLength(a));
    }

    [Fact]
    public void Sha1_matches_known_digest()
    {
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", Hash20.Sha1("abc"u8).ToString());
    }
}
