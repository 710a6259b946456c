namespace GitTorrent.Engine.Dht;

/// <summary>
/// A node's answer to <c>sample_items</c>: targets of mutable items without salt it stores (at most
/// <see cref="DhtNode.MaxSamplesPerAnswer"/>, chosen at random), how many such items it holds, how long to wait before
/// asking it again, and the nodes it knows closest to the target asked about (to walk the network).
/// </summary>
public sealed record ItemSample(IReadOnlyList<Hash20> Targets, long Count, TimeSpan Interval, IReadOnlyList<DhtContact> Nodes);
