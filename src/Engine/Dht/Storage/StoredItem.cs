namespace GitTorrent.Engine.Dht.Storage;

/// <summary>A BEP 44 item held for other nodes. Immutable items have no key.</summary>
internal sealed class StoredItem(Hash20 target, byte[] value, byte[]? publicKey, byte[]? salt, long sequence,
    byte[]? signature, long storedAt)
{
    /// <summary>Bookkeeping bytes counted per item on top of its payload.</summary>
    public const int Overhead = 128;

    public Hash20 Target { get; } = target;

    /// <summary>Raw bencoded "v".</summary>
    public byte[] Value { get; } = value;

    public byte[]? PublicKey { get; } = publicKey;

    public byte[]? Salt { get; } = salt;

    public long Sequence { get; } = sequence;

    public byte[]? Signature { get; } = signature;

    /// <summary>Last put time (ms): items expire <see cref="ItemStore.LifetimeMs"/> after it.</summary>
    public long StoredAt { get; set; } = storedAt;

    /// <summary>Who put this value here (its per-address count, <see cref="ItemStore"/>); null = this node itself.</summary>
    public SourceKey? Source { get; init; }

    public bool IsMutable => PublicKey is not null;

    public int Size => Overhead + Value.Length + (PublicKey?.Length ?? 0) + (Salt?.Length ?? 0) + (Signature?.Length ?? 0);
}
