namespace GitTorrent.Engine.Dht.Items;

/// <summary>Outcome of a BEP 44 put or an announce: how many of the closest nodes accepted it.</summary>
/// <param name="Target">The target (infohash) written to.</param>
/// <param name="Stored">Nodes that answered the write without error.</param>
/// <param name="ErrorCodes">KRPC error codes returned by nodes that refused it.</param>
/// <param name="Timeouts">Nodes that did not answer the write.</param>
public sealed record DhtPutResult(Hash20 Target, int Stored, IReadOnlyList<int> ErrorCodes, int Timeouts);
