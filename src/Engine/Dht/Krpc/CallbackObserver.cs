namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>Turns the outcome of a single query into a callback: the reply, or null on timeout or error.</summary>
internal sealed class CallbackObserver(Action<PendingQuery, KrpcMessage?> callback) : IQueryObserver
{
    public void OnResponse(PendingQuery query, KrpcMessage response) => callback(query, response);

    public void OnError(PendingQuery query, KrpcMessage error) => callback(query, null);

    public void OnTimeout(PendingQuery query) => callback(query, null);
}
