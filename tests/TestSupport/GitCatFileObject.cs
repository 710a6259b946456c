using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.TestSupport;

/// <summary>
/// One object as <c>git cat-file --batch</c> answered it: id, type (<c>blob</c>, <c>tree</c>, <c>commit</c>, <c>tag</c>),
/// size, and the content unless it was larger than the reader's bound (then null).
/// </summary>
public sealed record GitCatFileObject(Hash20 Id, string Type, long Size, byte[]? Content);
