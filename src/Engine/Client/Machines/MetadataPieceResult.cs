namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="MetadataMachine{TPeer}"/> made of one ut_metadata data message.</summary>
public enum MetadataPieceResult
{
    /// <summary>Not asked of this peer (or no longer, or the metadata is known): dropped.</summary>
    Ignored,

    /// <summary>Kept; more pieces are awaited.</summary>
    Stored,

    /// <summary>The last piece: the dictionary hashes to the infohash (<see cref="MetadataMachine{TPeer}.Metadata"/>).</summary>
    Complete,

    /// <summary>The last piece, and the dictionary hashes to something else: the peer is closed and never asked again; the next one is.</summary>
    Liar,

    /// <summary>The total size differs from the one the peer offered, or the piece lies beyond it: a protocol violation.</summary>
    WrongSize,

    /// <summary>The piece is not 16 KiB (or the rest, for the last one): a protocol violation.</summary>
    WrongLength,
}
