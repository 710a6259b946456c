namespace GitTorrent.Engine.Git;

/// <summary>A pack on disk with its torrent: <c>&lt;infohash&gt;.pack</c> and <c>&lt;infohash&gt;.torrent</c>.</summary>
public sealed record CachedPack(Hash20 InfoHash, Hash20 Commit, string PackPath, string TorrentPath, long Size, bool FromCache);
