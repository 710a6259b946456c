namespace GitTorrent.Engine.Client;

/// <summary>
/// Connections of a <see cref="TorrentEngine"/>: held now, refused by each limit, and ended early (handshake not done in
/// <see cref="TorrentEngineOptions.HandshakeTimeout"/>, silent past an idle timeout, a handshake for an info_hash not served).
/// </summary>
public sealed record ConnectionStatistics(int Inbound, int Outbound, long RefusedInbound, long RefusedPerAddress, long RefusedOutbound,
    long HandshakeTimeouts, long IdleClosed, long UnknownInfoHashes);
