using System.Text.Json;
using GitTorrent.Engine.Dht.Items;
using NSec.Cryptography;

namespace GitTorrent.Engine.Profiles;

/// <summary>
/// A user's ed25519 key pair (docs/PROTOCOL.md section 3). The user id is SHA-1 of the 32-byte public key,
/// which is also the BEP 44 target of the user's profile. Stored as a small JSON file readable only
/// by its owner: <c>{"type":"ed25519","seed":"&lt;64 hex&gt;","publicKey":"&lt;64 hex&gt;"}</c>.
/// </summary>
public sealed class UserIdentity : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private UserIdentity(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        UserId = Hash20.Sha1(PublicKey);
    }

    /// <summary>The 32-byte ed25519 public key (BEP 44 <c>k</c>).</summary>
    public byte[] PublicKey { get; }

    /// <summary>SHA-1 of the public key: the 40-hex id in <c>gittorrent://</c> URLs.</summary>
    public Hash20 UserId { get; }

    /// <summary>The NSec key, for code that signs with NSec directly (BEP 44 puts).</summary>
    public Key Key => _key;

    public static UserIdentity Generate() => new(Key.Create(Ed25519, Exportable));

    /// <summary>From a 32-byte RFC 8032 seed.</summary>
    public static UserIdentity FromSeed(ReadOnlySpan<byte> seed) =>
        new(Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable));

    public byte[] Sign(ReadOnlySpan<byte> data) => Ed25519.Sign(_key, data);

    /// <summary>
    /// The one signer of profiles: the BEP 44 signature of this user's unsalted mutable item (the profile) at
    /// <paramref name="seq"/> over the bencoded <paramref name="encodedValue"/> (<see cref="Bep44.SignatureBuffer"/>).
    /// </summary>
    public byte[] SignProfile(long seq, ReadOnlySpan<byte> encodedValue) => Sign(Bep44.SignatureBuffer([], seq, encodedValue));

    /// <summary>The 32-byte RFC 8032 seed (to store the key elsewhere, encrypted).</summary>
    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        publicKey.Length == 32 && signature.Length == 64
        && NSec.Cryptography.PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
        && key is not null && Ed25519.Verify(key, data, signature);

    /// <summary>Writes a new identity to <paramref name="path"/>; refuses to overwrite an existing file.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["type"] = "ed25519",
            ["seed"] = Convert.ToHexStringLower(_key.Export(KeyBlobFormat.RawPrivateKey)),
            ["publicKey"] = Convert.ToHexStringLower(PublicKey),
        });
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        file.Write(json);
    }

    /// <summary>Loads an identity file, or throws <see cref="GitTorrentException"/> saying what is wrong.</summary>
    public static UserIdentity Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new GitTorrentException($"No identity at {path}. Run 'gittorrent keygen' first.");
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("type").GetString() != "ed25519")
            {
                throw new GitTorrentException($"{path}: only ed25519 identities are supported.");
            }
            var seed = Convert.FromHexString(root.GetProperty("seed").GetString() ?? "");
            if (seed.Length != 32)
            {
                throw new GitTorrentException($"{path}: the seed must be 32 bytes.");
            }
            var identity = FromSeed(seed);
            if (root.TryGetProperty("publicKey", out var pk)
                && !Convert.FromHexString(pk.GetString() ?? "").AsSpan().SequenceEqual(identity.PublicKey))
            {
                throw new GitTorrentException($"{path}: the public key does not match the seed; the file is damaged.");
            }
            return identity;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new GitTorrentException($"{path} is not a valid identity file: {e.Message}");
        }
    }

    public void Dispose() => _key.Dispose();

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
