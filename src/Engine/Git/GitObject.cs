namespace GitTorrent.Engine.Git;

/// <summary>An object read by <see cref="GitObjectReader"/>: type, size, and its bytes unless it was larger than asked for (null).</summary>
public sealed record GitObject(GitObjectType Type, long Size, byte[]? Content);
