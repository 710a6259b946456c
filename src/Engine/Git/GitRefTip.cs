namespace GitTorrent.Engine.Git;

/// <summary>A branch or tag: its full name, the object it names (an annotated tag's own id) and the commit it ends at.</summary>
public sealed record GitRefTip(string Name, Hash20 Object, Hash20 Commit);
