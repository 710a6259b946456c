namespace GitTorrent.Indexer.Names;

/// <summary>
/// One entry as the resolver judged it. <see cref="Valid"/> is true for the owning CLAIM or REGISTER and
/// for a PREORDER that counts (the first of its C); otherwise <see cref="Reason"/> says why not.
/// <see cref="Pending"/> entries (fewer than N confirmations) are never valid yet.
/// <see cref="Priority"/> is the position the entry competes with (a REGISTER's PREORDER position).
/// </summary>
public sealed record ResolvedNameEntry(NameEntry Entry, bool Valid, bool Pending, string Reason, NamePosition? Priority);
