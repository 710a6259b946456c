namespace GitTorrent.Engine.Names;

/// <summary>
/// A bitcoind-compatible JSON-RPC call failed: the node was unreachable, refused the credentials, or
/// answered with an error (<see cref="RpcCode"/> is then the node's error code, e.g. -8 or -32601).
/// </summary>
public sealed class BitcoinRpcException : GitTorrentException
{
    public BitcoinRpcException(string message, Uri url, string method, int? rpcCode = null, Exception? inner = null)
        : base(message, inner!)
    {
        Url = url;
        Method = method;
        RpcCode = rpcCode;
    }

    public Uri Url { get; }

    public string Method { get; }

    public int? RpcCode { get; }
}
