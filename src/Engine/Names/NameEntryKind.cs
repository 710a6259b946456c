namespace GitTorrent.Engine.Names;

/// <summary>The three OP_RETURN payload kinds of docs/PROTOCOL.md section 5.</summary>
public enum NameEntryKind
{
    /// <summary><c>@gittorrent!&lt;name&gt;!&lt;40 lowercase hex keyhash&gt;</c>: one-step, front-runnable.</summary>
    Claim,

    /// <summary><c>gt?</c> ‖ C (20 bytes): hides the name behind a commitment.</summary>
    Preorder,

    /// <summary><c>gt!</c> ‖ keyhash (20) ‖ salt (16) ‖ name (1..32): reveals a PREORDER.</summary>
    Register,
}
