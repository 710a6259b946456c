using GitTorrent.Engine;
using GitTorrent.Engine.Names;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// One GitTorrent payload found on chain: where it is (<see cref="Position"/>, <see cref="Txid"/>,
/// <see cref="BlockHash"/>; hashes are 64 lowercase hex in RPC display order) and what it says.
/// </summary>
public sealed record NameEntry(NamePosition Position, string Txid, string BlockHash, NameEntryPayload Payload)
{
    public NameEntryKind Kind => Payload.Kind;

    /// <summary>Null for a PREORDER.</summary>
    public string? Name => Payload.Name;

    /// <summary>Null for a PREORDER.</summary>
    public Hash20? KeyHash => Payload.KeyHash;

    /// <summary>The PREORDER's C or the C a REGISTER reveals; null for a CLAIM.</summary>
    public Hash20? Commitment => Payload.Commitment;

    public int Height => Position.Height;
}
