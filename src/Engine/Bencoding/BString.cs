using System.Text;

namespace GitTorrent.Engine.Bencoding;

/// <summary>A bencoded byte string: <c>&lt;length&gt;:&lt;bytes&gt;</c>.</summary>
public sealed class BString : BValue, IEquatable<BString>
{
    public BString(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public BString(string text) => Bytes = Encoding.UTF8.GetBytes(text);

    public ReadOnlyMemory<byte> Bytes { get; }

    public ReadOnlySpan<byte> Span => Bytes.Span;

    public int Length => Bytes.Length;

    /// <summary>The bytes decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    public override void WriteTo(BencodeWriter writer) => writer.WriteString(Bytes.Span);

    public bool Equals(BString? other) => other is not null && Bytes.Span.SequenceEqual(other.Bytes.Span);

    public override bool Equals(object? obj) => obj is BString other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.Span);
        return hash.ToHashCode();
    }

    public override string ToString() => Text;
}
