using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GitTorrent.Engine.Dht.Items;

/// <summary>
/// RFC 8032 ed25519 signing from a 64-byte expanded secret key (the clamped scalar followed by the
/// nonce prefix), the form BEP 44's test vectors, libtorrent and ed25519-supercop use. NSec only takes
/// seeds, so the group arithmetic goes to the libsodium that NSec already ships
/// (<c>crypto_scalarmult_ed25519_base_noclamp</c> and the <c>crypto_core_ed25519_scalar_*</c> functions).
/// </summary>
public static partial class ExpandedKeySigner
{
    public const int ExpandedKeyLength = 64;

    private const int ScalarLength = 32;

    /// <summary>The 64-byte expanded key of an RFC 8032 seed: SHA-512(seed), clamped.</summary>
    public static byte[] Expand(ReadOnlySpan<byte> seed)
    {
        var h = SHA512.HashData(seed);
        h[0] &= 248;
        h[31] &= 63;
        h[31] |= 64;
        return h;
    }

    /// <summary>The public key A = a·B of an expanded key.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> expandedKey)
    {
        Check(expandedKey);
        var a = new byte[ScalarLength];
        if (crypto_scalarmult_ed25519_base_noclamp(a, expandedKey[..ScalarLength].ToArray()) != 0)
        {
            throw new CryptographicException("Invalid ed25519 scalar.");
        }
        return a;
    }

    /// <summary>An RFC 8032 signature R ‖ S of <paramref name="message"/>.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> expandedKey, ReadOnlySpan<byte> message)
    {
        Check(expandedKey);
        var publicKey = PublicKey(expandedKey);
        // r = SHA-512(prefix ‖ M) mod L
        var r = Reduce(Concat(expandedKey[ScalarLength..], message));
        var bigR = new byte[ScalarLength];
        if (crypto_scalarmult_ed25519_base_noclamp(bigR, r) != 0)
        {
            throw new CryptographicException("Invalid nonce.");
        }
        // k = SHA-512(R ‖ A ‖ M) mod L
        var k = Reduce(Concat(Concat(bigR, publicKey), message));
        // S = (r + k·a) mod L
        var wide = new byte[ExpandedKeyLength];
        expandedKey[..ScalarLength].CopyTo(wide);
        var a = new byte[ScalarLength];
        crypto_core_ed25519_scalar_reduce(a, wide);
        var ka = new byte[ScalarLength];
        crypto_core_ed25519_scalar_mul(ka, k, a);
        var s = new byte[ScalarLength];
        crypto_core_ed25519_scalar_add(s, r, ka);
        return Concat(bigR, s);
    }

    private static byte[] Reduce(byte[] data)
    {
        var reduced = new byte[ScalarLength];
        crypto_core_ed25519_scalar_reduce(reduced, SHA512.HashData(data));
        return reduced;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }

    private static void Check(ReadOnlySpan<byte> expandedKey)
    {
        if (expandedKey.Length != ExpandedKeyLength)
        {
            throw new ArgumentException($"An expanded ed25519 key is {ExpandedKeyLength} bytes.", nameof(expandedKey));
        }
    }

    [LibraryImport("libsodium")]
    private static partial int crypto_scalarmult_ed25519_base_noclamp(byte[] q, byte[] n);

    [LibraryImport("libsodium")]
    private static partial void crypto_core_ed25519_scalar_reduce(byte[] r, byte[] s);

    [LibraryImport("libsodium")]
    private static partial void crypto_core_ed25519_scalar_mul(byte[] z, byte[] x, byte[] y);

    [LibraryImport("libsodium")]
    private static partial void crypto_core_ed25519_scalar_add(byte[] z, byte[] x, byte[] y);
}
