using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Swarm.Machines;

/// <summary>One command of a swarm machine for its driver: <see cref="Kind"/> to <see cref="Peer"/>.</summary>
/// <param name="Block">The block of a <see cref="SwarmCommandKind.Request"/> or <see cref="SwarmCommandKind.Cancel"/>.</param>
public readonly record struct SwarmCommand<TPeer>(SwarmCommandKind Kind, TPeer Peer, BlockRequest Block = default);
