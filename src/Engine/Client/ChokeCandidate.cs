namespace GitTorrent.Engine.Client;

/// <summary>A peer as the choker sees it: interest and the rate that earns it a slot.</summary>
public readonly record struct ChokeCandidate(object Peer, bool Interested, long Rate);
