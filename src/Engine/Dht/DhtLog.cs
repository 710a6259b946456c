using System.Net;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Engine.Dht;

internal static partial class DhtLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "DHT node {NodeId} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, Hash20 nodeId, IPEndPoint endPoint);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Restored {Count} nodes from {Path}")]
    public static partial void Restored(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Could not read DHT state {Path}")]
    public static partial void StateUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not save DHT state {Path}")]
    public static partial void StateUnwritable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Bootstrap node {Node} could not be resolved: {Reason}")]
    public static partial void BootstrapUnresolved(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Bootstrap done: {Count} nodes in the routing table")]
    public static partial void Bootstrapped(ILogger logger, int count);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Socket error on receive: {Error}")]
    public static partial void ReceiveError(ILogger logger, string error);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "DHT node loop failed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Refused {Method} from {EndPoint}: {Code} {Reason}")]
    public static partial void Refused(ILogger logger, string method, IPEndPoint endPoint, int code, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "Send to {EndPoint} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, IPEndPoint endPoint, string error);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Republished {Count} items")]
    public static partial void Republished(ILogger logger, int count);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "Other nodes agree our address is {Address}: new BEP 42 node id {NodeId}, {Count} nodes kept in the routing table")]
    public static partial void IdChanged(ILogger logger, IPAddress address, Hash20 nodeId, int count);
}
