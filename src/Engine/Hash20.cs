using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GitTorrent.Engine;

/// <summary>
/// A 20-byte identifier: a DHT node id (BEP 5), a v1 infohash (BEP 3), a git commit id or a
/// BEP 44 target. Value type, compares as an unsigned big-endian number.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash20 : IEquatable<Hash20>, IComparable<Hash20>, ISpanFormattable
{
    public const int Length = 20;

    private readonly ulong _a; // bytes 0..7, big-endian
    private readonly ulong _b; // bytes 8..15, big-endian
    private readonly uint _c;  // bytes 16..19, big-endian

    public Hash20(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A Hash20 needs exactly {Length} bytes, got {bytes.Length}.", nameof(bytes));
        }
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    private Hash20(ulong a, ulong b, uint c) => (_a, _b, _c) = (a, b, c);

    public static Hash20 Zero => default;

    public static Hash20 Max => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    public static Hash20 Random()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return new Hash20(bytes);
    }

    /// <summary>SHA-1 of <paramref name="data"/>.</summary>
    public static Hash20 Sha1(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Length];
        SHA1.HashData(data, digest);
        return new Hash20(digest);
    }

    public static bool TryParse([NotNullWhen(true)] string? hex, out Hash20 value)
    {
        value = default;
        if (hex is null || hex.Length != 2 * Length)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Length)
        {
            return false;
        }
        value = new Hash20(bytes);
        return true;
    }

    /// <summary>Parses 40 hex digits (either case) or throws <see cref="FormatException"/>.</summary>
    public static Hash20 Parse(string hex) =>
        TryParse(hex, out var value) ? value : throw new FormatException($"'{hex}' is not 40 hex digits.");

    public static bool IsLowerHex40(ReadOnlySpan<char> text)
    {
        if (text.Length != 2 * Length)
        {
            return false;
        }
        foreach (var ch in text)
        {
            if (ch is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>XOR distance (BEP 5 metric).</summary>
    public Hash20 Xor(Hash20 other) => new(_a ^ other._a, _b ^ other._b, _c ^ other._c);

    /// <summary>Number of leading bits this id shares with <paramref name="other"/> (0..160).</summary>
    public int CommonPrefixLength(Hash20 other)
    {
        var x = Xor(other);
        if (x._a != 0)
        {
            return BitOperations.LeadingZeroCount(x._a);
        }
        if (x._b != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(x._b);
        }
        return x._c != 0 ? 128 + BitOperations.LeadingZeroCount(x._c) : 160;
    }

    /// <summary>The bit at <paramref name="index"/> counted from the most significant (0..159).</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 160);
        return index switch
        {
            < 64 => ((_a >> (63 - index)) & 1) != 0,
            < 128 => ((_b >> (127 - index)) & 1) != 0,
            _ => ((_c >> (159 - index)) & 1) != 0,
        };
    }

    public int CompareTo(Hash20 other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public bool Equals(Hash20 other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is Hash20 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    /// <summary>40 lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.TryToHexStringLower(bytes, destination, out charsWritten);
    }

    public static bool operator ==(Hash20 left, Hash20 right) => left.Equals(right);

    public static bool operator !=(Hash20 left, Hash20 right) => !left.Equals(right);

    public static bool operator <(Hash20 left, Hash20 right) => left.CompareTo(right) < 0;

    public static bool operator >(Hash20 left, Hash20 right) => left.CompareTo(right) > 0;

    public static bool operator <=(Hash20 left, Hash20 right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Hash20 left, Hash20 right) => left.CompareTo(right) >= 0;
}
