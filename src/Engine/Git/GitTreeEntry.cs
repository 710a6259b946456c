namespace GitTorrent.Engine.Git;

/// <summary>One entry of a git tree object.</summary>
public sealed record GitTreeEntry(string Name, Hash20 Id, GitTreeEntryKind Kind);
