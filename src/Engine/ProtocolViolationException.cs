namespace GitTorrent.Engine;

/// <summary>A remote party broke the protocol; the caller drops that peer or packet.</summary>
public sealed class ProtocolViolationException(string message) : GitTorrentException(message);
