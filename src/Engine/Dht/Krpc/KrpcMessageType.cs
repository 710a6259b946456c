namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>The "y" key of a KRPC message (BEP 5).</summary>
public enum KrpcMessageType
{
    Query,
    Response,
    Error,
}
