using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>
/// The second half of announce_peer and put: send the write, with each node's token, to the closest
/// nodes a lookup found, and count who took it. Owned by the node loop.
/// </summary>
internal sealed class WriteOperation(Hash20 target) : IQueryObserver
{
    private readonly List<int> _errors = [];
    private int _outstanding;
    private int _stored;
    private int _timeouts;

    public TaskCompletionSource<DhtPutResult> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends <paramref name="method"/> to every node that gave a token; <paramref name="arguments"/> gets its "token".</summary>
    public void Start(ILookupHost host, KrpcMethod method, IEnumerable<(DhtContact Node, byte[]? Token)> targets,
        Func<BDictionary> arguments)
    {
        foreach (var (node, token) in targets)
        {
            if (token is null)
            {
                continue;
            }
            var args = arguments();
            args["token"] = token;
            if (host.SendQuery(method, args, node.Id, node.EndPoint, this, null))
            {
                _outstanding++;
            }
        }
        CompleteIfDone();
    }

    public void OnResponse(PendingQuery query, KrpcMessage response)
    {
        _stored++;
        _outstanding--;
        CompleteIfDone();
    }

    public void OnError(PendingQuery query, KrpcMessage error)
    {
        _errors.Add(error.ErrorCode);
        _outstanding--;
        CompleteIfDone();
    }

    public void OnTimeout(PendingQuery query)
    {
        _timeouts++;
        _outstanding--;
        CompleteIfDone();
    }

    private void CompleteIfDone()
    {
        if (_outstanding == 0)
        {
            Completion.TrySetResult(new DhtPutResult(target, _stored, _errors, _timeouts));
        }
    }
}
