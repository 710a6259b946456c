namespace GitTorrent.Engine.Git;

/// <summary>What a tree entry points at, from its mode.</summary>
public enum GitTreeEntryKind
{
    /// <summary>Mode 100644 or 100755.</summary>
    File,

    /// <summary>Mode 040000.</summary>
    Tree,

    /// <summary>Mode 120000.</summary>
    Symlink,

    /// <summary>Mode 160000 (a commit of another repository).</summary>
    Submodule,
}
