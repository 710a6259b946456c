namespace GitTorrent.Engine.Bencoding;

/// <summary>
/// A bencoded value (BEP 3). Values produced by <see cref="BencodeReader"/> keep the exact bytes
/// they were decoded from in <see cref="Raw"/>, so hashes and signatures can be computed on what
/// was received rather than on a re-encoding.
/// </summary>
public abstract class BValue
{
    /// <summary>The bytes this value was decoded from; empty for values built in code.</summary>
    public ReadOnlyMemory<byte> Raw { get; internal set; }

    /// <summary>Writes the canonical encoding (dictionary keys sorted) to <paramref name="writer"/>.</summary>
    public abstract void WriteTo(BencodeWriter writer);

    /// <summary>The canonical encoding of this value.</summary>
    public byte[] Encode()
    {
        var writer = new BencodeWriter();
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>The received bytes if this value was decoded, else its canonical encoding.</summary>
    public ReadOnlyMemory<byte> RawOrEncode() => Raw.IsEmpty ? Encode() : Raw;

    public static implicit operator BValue(string text) => new BString(text);
    public static implicit operator BValue(byte[] bytes) => new BString(bytes);
    public static implicit operator BValue(long value) => new BInteger(value);
    public static implicit operator BValue(int value) => new BInteger(value);
}
