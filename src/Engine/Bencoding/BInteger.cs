using System.Globalization;

namespace GitTorrent.Engine.Bencoding;

/// <summary>A bencoded integer: <c>i&lt;value&gt;e</c>, within the range of <see cref="long"/>.</summary>
public sealed class BInteger(long value) : BValue, IEquatable<BInteger>
{
    public long Value { get; } = value;

    public override void WriteTo(BencodeWriter writer) => writer.WriteInteger(Value);

    public bool Equals(BInteger? other) => other is not null && other.Value == Value;

    public override bool Equals(object? obj) => obj is BInteger other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
