namespace GitTorrent.Engine.Client;

/// <summary>Totals over every torrent (stats.json's <c>uploaded</c>, <c>downloaded</c>, <c>peers</c>) and the per-torrent rows.</summary>
public sealed record EngineStatistics(long Uploaded, long Downloaded, int Peers, IReadOnlyList<TorrentStatistics> Torrents);
