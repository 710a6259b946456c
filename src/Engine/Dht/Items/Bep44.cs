using System.Buffers.Text;
using NSec.Cryptography;

namespace GitTorrent.Engine.Dht.Items;

/// <summary>BEP 44 rules shared by the client, the storage node and the tests.</summary>
public static class Bep44
{
    /// <summary>BEP 44: the bencoded "v" must not be larger than 1000 bytes.</summary>
    public const int MaxValueLength = 1000;

    /// <summary>BEP 44: "salt" must not be larger than 64 bytes.</summary>
    public const int MaxSaltLength = 64;

    public const int PublicKeyLength = 32;

    public const int SignatureLength = 64;

    /// <summary>Target of a mutable item: SHA-1 of the public key followed by the salt.</summary>
    public static Hash20 MutableTarget(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt)
    {
        Span<byte> buffer = stackalloc byte[PublicKeyLength + MaxSaltLength];
        if (publicKey.Length != PublicKeyLength || salt.Length > MaxSaltLength)
        {
            throw new ArgumentException("A BEP 44 key is 32 bytes and a salt at most 64.");
        }
        publicKey.CopyTo(buffer);
        salt.CopyTo(buffer[PublicKeyLength..]);
        return Hash20.Sha1(buffer[..(PublicKeyLength + salt.Length)]);
    }

    /// <summary>Target of an immutable item: SHA-1 of the bencoded value.</summary>
    public static Hash20 ImmutableTarget(ReadOnlySpan<byte> encodedValue) => Hash20.Sha1(encodedValue);

    /// <summary>
    /// The bytes a mutable item's signature covers: <c>4:salt&lt;n&gt;:&lt;salt&gt;</c> (only when the salt is
    /// not empty), <c>3:seqi&lt;seq&gt;e</c> and <c>1:v</c> followed by the bencoded value, with no enclosing dictionary.
    /// </summary>
    public static byte[] SignatureBuffer(ReadOnlySpan<byte> salt, long sequence, ReadOnlySpan<byte> encodedValue)
    {
        var buffer = new byte[6 + 12 + salt.Length + 6 + 21 + 3 + encodedValue.Length];
        var n = 0;
        if (!salt.IsEmpty)
        {
            n += Write(buffer.AsSpan(n), "4:salt"u8);
            Utf8Formatter.TryFormat(salt.Length, buffer.AsSpan(n), out var digits);
            n += digits;
            buffer[n++] = (byte)':';
            n += Write(buffer.AsSpan(n), salt);
        }
        n += Write(buffer.AsSpan(n), "3:seqi"u8);
        Utf8Formatter.TryFormat(sequence, buffer.AsSpan(n), out var seqDigits);
        n += seqDigits;
        buffer[n++] = (byte)'e';
        n += Write(buffer.AsSpan(n), "1:v"u8);
        n += Write(buffer.AsSpan(n), encodedValue);
        return buffer[..n];
    }

    /// <summary>Checks an ed25519 signature (RFC 8032) with NSec.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> data)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key))
        {
            return false;
        }
        return SignatureAlgorithm.Ed25519.Verify(key!, data, signature);
    }

    /// <summary>Verifies a mutable item as received: signature over salt, seq and the raw bencoded value.</summary>
    public static bool VerifyMutable(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt, long sequence,
        ReadOnlySpan<byte> encodedValue, ReadOnlySpan<byte> signature) =>
        Verify(publicKey, signature, SignatureBuffer(salt, sequence, encodedValue));

    private static int Write(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
