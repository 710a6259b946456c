using NSec.Cryptography;

namespace GitTorrent.Engine.Dht.Items;

/// <summary>
/// An ed25519 key pair for BEP 44 mutable items and user profiles (docs/PROTOCOL.md section 3), built from
/// a 32-byte RFC 8032 seed. The seed is what gets stored in <c>$GITTORRENT_HOME</c>.
/// </summary>
public sealed class Ed25519Key : IDisposable
{
    public const int SeedLength = 32;

    private readonly Key _key;

    private Ed25519Key(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key ("k" in BEP 44).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The user id: SHA-1 of the public key, i.e. the BEP 44 target of an unsalted item.</summary>
    public Hash20 UserId => Bep44.MutableTarget(PublicKey, default);

    public static Ed25519Key Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable()));

    public static Ed25519Key FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"An ed25519 seed is {SeedLength} bytes.", nameof(seed));
        }
        return new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable()));
    }

    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>Signs a mutable item exactly as BEP 44 specifies (see <see cref="Bep44.SignatureBuffer"/>).</summary>
    public byte[] SignMutable(ReadOnlySpan<byte> salt, long sequence, ReadOnlySpan<byte> encodedValue) =>
        Sign(Bep44.SignatureBuffer(salt, sequence, encodedValue));

    public void Dispose() => _key.Dispose();

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
