namespace GitTorrent.Indexer.Profiles;

/// <summary>What storing a batch of profiles did.</summary>
public sealed record ProfileStoreResult(int Stored, int Unchanged, int Rejected);
