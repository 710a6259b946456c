namespace GitTorrent.Engine.Fetch;

/// <summary>How a fetch of tips ended.</summary>
/// <param name="Success">Every wanted object is in the repository.</param>
/// <param name="Error">Why not, naming the commits and what was tried.</param>
/// <param name="SwarmPacks">Packs imported from the swarm.</param>
/// <param name="OriginRefs">Refs fetched from the origin (0 = the origin was not asked).</param>
public sealed record TipFetchOutcome(bool Success, string? Error, int SwarmPacks, int OriginRefs);
