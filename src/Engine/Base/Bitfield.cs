using System.Numerics;

namespace GitTorrent.Engine.Base;

/// <summary>
/// One bit per piece in wire order (BEP 3: the high bit of the first byte is piece 0), so the bytes can be sent
/// as a bitfield message as they are. Not thread-safe: owned by one session.
/// </summary>
public sealed class Bitfield
{
    private readonly byte[] _bytes;

    public Bitfield(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _bytes = new byte[ByteLength(length)];
    }

    public int Length { get; }

    public int Count { get; private set; }

    public bool All => Count == Length;

    public bool None => Count == 0;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static int ByteLength(int bits) => (bits + 7) / 8;

    public bool this[int index]
    {
        get => (_bytes[index >> 3] & (0x80 >> (index & 7))) != 0;
        set
        {
            var mask = (byte)(0x80 >> (index & 7));
            ref var b = ref _bytes[index >> 3];
            var was = (b & mask) != 0;
            if (value && !was)
            {
                b |= mask;
                Count++;
            }
            else if (!value && was)
            {
                b &= (byte)~mask;
                Count--;
            }
        }
    }

    public void SetAll()
    {
        for (var i = 0; i < Length; i++)
        {
            this[i] = true;
        }
    }

    /// <summary>
    /// Decodes a received bitfield: exactly <c>ceil(bits / 8)</c> bytes with the spare bits clear (BEP 3 says drop
    /// the peer otherwise).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, int bits, out Bitfield bitfield)
    {
        bitfield = null!;
        if (bytes.Length != ByteLength(bits))
        {
            return false;
        }
        var spare = (8 * bytes.Length) - bits;
        if (spare > 0 && (bytes[^1] & ((1 << spare) - 1)) != 0)
        {
            return false;
        }
        bitfield = new Bitfield(bits);
        bytes.CopyTo(bitfield._bytes);
        var count = 0;
        foreach (var b in bytes)
        {
            count += BitOperations.PopCount(b);
        }
        bitfield.Count = count;
        return true;
    }
}
