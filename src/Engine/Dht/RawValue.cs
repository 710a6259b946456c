using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Dht;

/// <summary>An already-encoded bencode value written verbatim (a BEP 44 "v" must go out byte for byte as signed).</summary>
internal sealed class RawValue(ReadOnlyMemory<byte> encoded) : BValue
{
    public override void WriteTo(BencodeWriter writer) => writer.WriteRaw(encoded.Span);
}
