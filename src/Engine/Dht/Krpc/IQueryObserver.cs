namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>Receives the outcome of one outgoing query. Called on the node's single owner loop.</summary>
internal interface IQueryObserver
{
    void OnResponse(PendingQuery query, KrpcMessage response);

    /// <summary>The remote answered with a KRPC error.</summary>
    void OnError(PendingQuery query, KrpcMessage error);

    void OnTimeout(PendingQuery query);
}
