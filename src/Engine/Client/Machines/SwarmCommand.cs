using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>One command of a swarm machine for its driver: <see cref="Kind"/> to <see cref="Peer"/>.</summary>
/// <param name="Block">The block of a <see cref="SwarmCommandKind.Request"/> or <see cref="SwarmCommandKind.Cancel"/>.</param>
/// <param name="Index">The piece of a <see cref="SwarmCommandKind.Have"/>, the metadata piece of a <see cref="SwarmCommandKind.RequestMetadata"/>, the strikes of a <see cref="SwarmCommandKind.Ban"/>.</param>
public readonly record struct SwarmCommand<TPeer>(SwarmCommandKind Kind, TPeer Peer, BlockRequest Block = default, int Index = 0);
