using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>What a lookup needs from the node that runs it. All calls happen on the node's loop.</summary>
internal interface ILookupHost
{
    Hash20 Id { get; }

    long NowMs { get; }

    /// <summary>Address family of the node's socket.</summary>
    System.Net.Sockets.AddressFamily AddressFamily { get; }

    /// <summary>Sends a query; false when it could not be sent (pending table full, socket error).</summary>
    bool SendQuery(KrpcMethod method, BDictionary arguments, Hash20? nodeId, IPEndPoint endPoint, IQueryObserver observer,
        object? state);

    void LookupFinished(LookupOperation operation);
}
