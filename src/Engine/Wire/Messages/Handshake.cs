namespace GitTorrent.Engine.Wire.Messages;

/// <summary>
/// The BEP 3 handshake: <c>19 "BitTorrent protocol" reserved[8] info_hash[20] peer_id[20]</c>.
/// Reserved bit 20 from the right (byte 5, 0x10) announces the extension protocol (BEP 10),
/// the last bit (byte 7, 0x01) the DHT (BEP 5).
/// </summary>
public readonly record struct Handshake(ulong Reserved, Hash20 InfoHash, Hash20 PeerId)
{
    public const int Length = 68;

    /// <summary>BEP 10: reserved_byte[5] &amp; 0x10.</summary>
    public const ulong ExtensionProtocolBit = 0x0000_0000_0010_0000;

    /// <summary>BEP 5: reserved_byte[7] &amp; 0x01.</summary>
    public const ulong DhtBit = 0x0000_0000_0000_0001;

    private static ReadOnlySpan<byte> Protocol => "BitTorrent protocol"u8;

    public bool SupportsExtensions => (Reserved & ExtensionProtocolBit) != 0;

    public static bool TryDecode(ReadOnlySpan<byte> source, out Handshake handshake)
    {
        handshake = default;
        if (source.Length < Length || source[0] != 19 || !source.Slice(1, 19).SequenceEqual(Protocol))
        {
            return false;
        }
        handshake = new Handshake(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(source[20..]),
            new Hash20(source.Slice(28, 20)),
            new Hash20(source.Slice(48, 20)));
        return true;
    }

    public int Encode(Span<byte> destination)
    {
        destination[0] = 19;
        Protocol.CopyTo(destination[1..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[20..], Reserved);
        InfoHash.CopyTo(destination[28..]);
        PeerId.CopyTo(destination[48..]);
        return Length;
    }
}
