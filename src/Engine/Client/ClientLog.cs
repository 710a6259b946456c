using System.Net;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Engine.Client;

internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Information, "Listening for peers on {EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(2, LogLevel.Debug, "Peer {EndPoint} connected for {InfoHash} (outbound {Outbound})")]
    public static partial void PeerConnected(ILogger logger, IPEndPoint endPoint, Hash20 infoHash, bool outbound);

    [LoggerMessage(3, LogLevel.Debug, "Peer {EndPoint} of {InfoHash} dropped: {Reason}")]
    public static partial void PeerDropped(ILogger logger, IPEndPoint endPoint, Hash20 infoHash, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Piece {Piece} of {InfoHash} failed its hash check")]
    public static partial void PieceFailed(ILogger logger, int piece, Hash20 infoHash);

    [LoggerMessage(5, LogLevel.Warning, "Peer {EndPoint} banned from {InfoHash} after {Strikes} bad pieces")]
    public static partial void PeerBanned(ILogger logger, IPEndPoint endPoint, Hash20 infoHash, int strikes);

    [LoggerMessage(6, LogLevel.Information, "Download of {InfoHash} complete")]
    public static partial void DownloadComplete(ILogger logger, Hash20 infoHash);

    [LoggerMessage(7, LogLevel.Information, "Metadata of {InfoHash} received ({Size} bytes)")]
    public static partial void MetadataReceived(ILogger logger, Hash20 infoHash, int size);

    [LoggerMessage(8, LogLevel.Debug, "Handshake from {EndPoint} refused: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(9, LogLevel.Debug, "Connecting to {EndPoint} for {InfoHash} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, IPEndPoint endPoint, Hash20 infoHash, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Peer source for {InfoHash} failed: {Reason}")]
    public static partial void DiscoveryFailed(ILogger logger, Hash20 infoHash, string reason);

    [LoggerMessage(11, LogLevel.Information, "Resuming {InfoHash}: {Pieces} pieces already on disk")]
    public static partial void Resumed(ILogger logger, Hash20 infoHash, int pieces);

    [LoggerMessage(12, LogLevel.Debug, "Dialling {EndPoint} for {InfoHash}, learnt by peer exchange from {Source}")]
    public static partial void PexDial(ILogger logger, IPEndPoint endPoint, Hash20 infoHash, IPEndPoint? source);

    [LoggerMessage(13, LogLevel.Debug, "Seeding {InfoHash}: {Downloaders} peers download at once, super-seeding {On}")]
    public static partial void SeedingMode(ILogger logger, Hash20 infoHash, int downloaders, bool on);
}
