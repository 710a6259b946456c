using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>What a lookup found.</summary>
/// <param name="Target">The id looked up.</param>
/// <param name="Closest">The closest nodes that answered, closest first, with the write token each gave.</param>
/// <param name="Rounds">Hops to the closest answering nodes (1 = straight from our routing table).</param>
/// <param name="QueriesSent">Queries this lookup sent.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Mutable">BEP 44: the valid mutable item with the highest seq seen.</param>
/// <param name="Immutable">BEP 44: the bencoded value of an immutable item whose hash matched.</param>
/// <param name="PeerCount">get_peers: distinct peers found.</param>
public sealed record LookupResult(
    Hash20 Target,
    IReadOnlyList<(DhtContact Node, byte[]? Token)> Closest,
    int Rounds,
    int QueriesSent,
    TimeSpan Elapsed,
    MutableItem? Mutable,
    byte[]? Immutable,
    int PeerCount);
