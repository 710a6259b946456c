namespace GitTorrent.Engine.Git;

/// <summary>Object types as packs number them (pack format: 1 commit, 2 tree, 3 blob, 4 tag).</summary>
public enum GitObjectType
{
    Commit = 1,
    Tree = 2,
    Blob = 3,
    Tag = 4,
}
