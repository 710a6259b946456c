namespace GitTorrent.Indexer.Discovery;

/// <summary>A peer's feed could not be read or was not a feed page (the job backs off).</summary>
public sealed class PeerFeedException(string message) : Engine.GitTorrentException(message);
