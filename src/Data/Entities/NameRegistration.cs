namespace GitTorrent.Data.Entities;

/// <summary>One name entry found in a Bitcoin transaction output.</summary>
public sealed class NameRegistration
{
    public long Id { get; set; }

    /// <summary>The username; null for a PREORDER, which only carries a commitment.</summary>
    public string? Name { get; set; }

    public NameRegistrationKind Kind { get; set; }

    /// <summary>Hex hash of the owner's key as carried by the entry.</summary>
    public string? KeyHash { get; set; }

    /// <summary>Hex commitment of a PREORDER (hash of name, salt and key hash).</summary>
    public string? Commitment { get; set; }

    /// <summary>Hex salt revealed by the REGISTER that opens a PREORDER.</summary>
    public string? Salt { get; set; }

    /// <summary>64 lowercase hex chars.</summary>
    public required string Txid { get; set; }

    public int Vout { get; set; }

    /// <summary>Block height, or null while in the mempool.</summary>
    public int? BlockHeight { get; set; }

    public string? BlockHash { get; set; }

    /// <summary>Position of the transaction in its block (orders entries within a block).</summary>
    public int? TxIndex { get; set; }

    public NameRegistrationStatus Status { get; set; }

    /// <summary>Whether the entry obeys the ownership rules.</summary>
    public bool Valid { get; set; }

    /// <summary>Why the entry is invalid (or a note on why it is valid), for the proof shown to users.</summary>
    public string? Reason { get; set; }
}
