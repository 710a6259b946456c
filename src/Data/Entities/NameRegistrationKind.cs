namespace GitTorrent.Data.Entities;

/// <summary>The kind of an OP_RETURN name entry (docs/PROTOCOL.md section 5). Stored as its upper-case name.</summary>
public enum NameRegistrationKind
{
    Claim,
    Preorder,
    Register,
}
