namespace GitTorrent.Engine.Client;

/// <summary>
/// One torrent's counters: payload bytes up and down since it was added (disconnected peers included) and the
/// peers connected now. Feeds stats.json's <c>packs[]</c> (INTERFACES.md).
/// </summary>
public sealed record TorrentStatistics(Hash20 InfoHash, string? Name, long Size, bool IsSeed, long Uploaded,
    long Downloaded, IReadOnlyList<PeerStatistics> Peers);
