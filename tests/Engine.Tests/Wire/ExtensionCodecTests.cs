using System.Text;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class ExtensionCodecTests
{
    [Fact]
    public void Ut_metadata_request_matches_bep9_bytes()
    {
        var bytes = new UtMetadataMessage(UtMetadataMessageType.Request, 0, 0, default).Encode();
        Assert.Equal("d8:msg_typei0e5:piecei0ee", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Ut_metadata_data_carries_raw_bytes_after_the_dictionary()
    {
        var payload = Encoding.ASCII.GetBytes("d8:msg_typei1e5:piecei0e10:total_sizei5eexxxxx");
        Assert.True(UtMetadataMessage.TryDecode(payload, out var message));
        Assert.Equal(UtMetadataMessageType.Data, message.Type);
        Assert.Equal(5, message.TotalSize);
        Assert.Equal("xxxxx", Encoding.ASCII.GetString(message.Data.Span));
        Assert.Equal(payload, message.Encode());
    }

    [Theory]
    [InlineData("d8:msg_typei1e5:piecei0ee")]                             // data without total_size
    [InlineData("d8:msg_typei3e5:piecei0ee")]                             // unknown type
    [InlineData("d8:msg_typei0e5:piecei-1ee")]                            // negative piece
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei99999999eexx")]   // over 16 MiB
    [InlineData("d8:msg_typei0e5:piecei0eejunk")]                         // bytes after a request
    [InlineData("le")]
    public void Ut_metadata_rejects_malformed_messages(string text) =>
        Assert.False(UtMetadataMessage.TryDecode(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void Registry_assigns_ids_in_registration_order_and_rejects_duplicates()
    {
        var registry = new ExtensionRegistry();
        registry.Register(new UtMetadataExtension());
        registry.Register(new NamedExtension("ut_gittorrent"));
        Assert.True(registry.TryGet(2, out var second));
        Assert.Equal("ut_gittorrent", second.Name);
        Assert.False(registry.TryGet(0, out _));
        Assert.False(registry.TryGet(3, out _));
        Assert.Throws<InvalidOperationException>(() => registry.Register(new NamedExtension("ut_gittorrent")));
        Assert.NotNull(registry.Find<UtMetadataExtension>());
    }

    private sealed class NamedExtension(string name) : IExtension
    {
        public string Name => name;

        public void OnMessage(GitTorrent.Engine.Wire.PeerConnection connection, ReadOnlyMemory<byte> payload)
        {
        }
    }

    [Fact]
    public void Bdictionary_m_entries_round_trip_as_bep10_expects()
    {
        var m = new BDictionary { { "ut_metadata", 1 }, { "ut_gittorrent", 2 } };
        var handshake = new BDictionary { { "m", m }, { "metadata_size", 1234 } };
        Assert.Equal("d1:md13:ut_gittorrenti2e11:ut_metadatai1ee13:metadata_sizei1234ee",
            Encoding.ASCII.GetString(handshake.Encode()));
    }
}
