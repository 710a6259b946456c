using System.Net;
using GitTorrent.Engine.Dht;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>BEP 42 "Example" table: IP, random byte, and the id prefix (21 bits) and last byte they fix.</summary>
public sealed class NodeIdGeneratorTests
{
    [Theory]
    [InlineData("124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401")]
    [InlineData("21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256")]
    [InlineData("65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616")]
    [InlineData("84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41")]
    [InlineData("43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a")]
    public void Bep42_vectors(string ip, int r, string expected)
    {
        var want = Hash20.Parse(expected);
        var address = IPAddress.Parse(ip);
        // Same random filler as the vector: the generator fixes only the first 21 bits and the last byte.
        var id = NodeIdGenerator.Generate(address, (byte)r, want.ToArray());
        Assert.Equal(want, id);
        Assert.True(NodeIdGenerator.IsValid(want, address));
        Assert.False(NodeIdGenerator.IsValid(want, IPAddress.Parse("1.2.3.4")));
    }

    [Fact]
    public void Generated_ids_are_valid_for_their_address_and_random_otherwise()
    {
        var address = IPAddress.Parse("203.0.113.9");
        var a = NodeIdGenerator.Generate(address);
        var b = NodeIdGenerator.Generate(address);
        Assert.True(NodeIdGenerator.IsValid(a, address));
        Assert.True(NodeIdGenerator.IsValid(b, address));
        Assert.NotEqual(a, b);
        Assert.True(NodeIdGenerator.IsExempt(IPAddress.Loopback));
        Assert.True(NodeIdGenerator.IsExempt(IPAddress.Parse("192.168.1.2")));
        Assert.False(NodeIdGenerator.IsExempt(address));
    }
}
