namespace GitTorrent.Web.Node;

/// <summary>One pack in <c>/api/swarm</c>: <c>{"infoHash","commit","size","uploaded"}</c>.</summary>
public sealed record SeededPackInfo(string InfoHash, string Commit, long Size, long Uploaded);
