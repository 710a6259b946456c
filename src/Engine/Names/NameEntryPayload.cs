namespace GitTorrent.Engine.Names;

/// <summary>
/// One decoded GitTorrent name payload. <see cref="Name"/> and <see cref="KeyHash"/> are null for a
/// PREORDER (it hides them); <see cref="Commitment"/> is the PREORDER's C, or for a REGISTER the C it
/// reveals (computed), and null for a CLAIM; <see cref="Salt"/> is set for a REGISTER only.
/// </summary>
public sealed record NameEntryPayload
{
    private NameEntryPayload(NameEntryKind kind, string? name, Hash20? keyHash, byte[]? salt, Hash20? commitment)
    {
        Kind = kind;
        Name = name;
        KeyHash = keyHash;
        _salt = salt;
        Commitment = commitment;
    }

    private readonly byte[]? _salt;

    public NameEntryKind Kind { get; }

    public string? Name { get; }

    public Hash20? KeyHash { get; }

    /// <summary>The REGISTER's 16-byte salt (a copy); empty for other kinds.</summary>
    public ReadOnlyMemory<byte> Salt => _salt is null ? ReadOnlyMemory<byte>.Empty : _salt.AsMemory();

    public Hash20? Commitment { get; }

    public static NameEntryPayload Claim(string name, Hash20 keyHash)
    {
        NamePayload.ThrowIfInvalidName(name);
        return new NameEntryPayload(NameEntryKind.Claim, name, keyHash, salt: null, commitment: null);
    }

    public static NameEntryPayload Preorder(Hash20 commitment) =>
        new(NameEntryKind.Preorder, name: null, keyHash: null, salt: null, commitment);

    public static NameEntryPayload Register(string name, Hash20 keyHash, ReadOnlySpan<byte> salt)
    {
        NamePayload.ThrowIfInvalidName(name);
        var commitment = NamePayload.ComputeCommitment(name, keyHash, salt);
        return new NameEntryPayload(NameEntryKind.Register, name, keyHash, salt.ToArray(), commitment);
    }

    public bool Equals(NameEntryPayload? other) =>
        other is not null && Kind == other.Kind && Name == other.Name && KeyHash == other.KeyHash
        && Commitment == other.Commitment && Salt.Span.SequenceEqual(other.Salt.Span);

    public override int GetHashCode() => HashCode.Combine(Kind, Name, KeyHash, Commitment);
}
