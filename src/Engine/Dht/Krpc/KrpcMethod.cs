namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>The query methods this node understands (BEP 5 and BEP 44).</summary>
public enum KrpcMethod
{
    Unknown = 0,
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
    /// <summary>BEP 44 get.</summary>
    Get,
    /// <summary>BEP 44 put.</summary>
    Put,
}
