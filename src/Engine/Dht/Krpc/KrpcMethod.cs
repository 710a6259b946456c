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

    /// <summary>
    /// <c>sample_items</c>, GitTorrent's extension after BEP 51's <c>sample_infohashes</c>: a sample of the targets of
    /// the mutable items without salt a node stores (docs/PROTOCOL.md section 2).
    /// </summary>
    SampleItems,
}
