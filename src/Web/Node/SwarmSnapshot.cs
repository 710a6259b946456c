namespace GitTorrent.Web.Node;

/// <summary>The daemon's stats.json shape (INTERFACES.md) plus what the portal adds.</summary>
/// <param name="Uploaded">Bytes of piece payload sent to peers.</param>
/// <param name="Downloaded">Bytes of piece payload received from peers.</param>
/// <param name="Peers">Peers connected now.</param>
/// <param name="DhtNodes">Nodes in the routing table; null while unknown.</param>
/// <param name="DhtSizeEstimate">Estimated size of the whole DHT; null while unknown.</param>
/// <param name="OriginBytesSaved">Bytes clients got from the swarm instead of an origin.</param>
/// <param name="Packs">Packs seeded.</param>
public sealed record SwarmSnapshot(
    long Uploaded,
    long Downloaded,
    int Peers,
    int? DhtNodes,
    long? DhtSizeEstimate,
    long OriginBytesSaved,
    IReadOnlyList<SeededPackInfo> Packs)
{
    public static SwarmSnapshot Empty { get; } = new(0, 0, 0, null, null, 0, []);
}
