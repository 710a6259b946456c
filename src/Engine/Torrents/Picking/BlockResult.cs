namespace GitTorrent.Engine.Torrents.Picking;

/// <summary>What <see cref="PiecePicker.OnBlock"/> made of a received block.</summary>
public enum BlockResult
{
    /// <summary>Stored; the piece still misses blocks.</summary>
    Stored,

    /// <summary>Stored, and the piece is complete: verify it.</summary>
    PieceComplete,

    /// <summary>Already had it (end game duplicate or late reply); ignored.</summary>
    Duplicate,

    /// <summary>Not a block we asked anyone for, or malformed: a protocol violation.</summary>
    Unsolicited,
}
