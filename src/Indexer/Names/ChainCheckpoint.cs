namespace GitTorrent.Indexer.Names;

/// <summary>A processed block: its height and hash (64 lowercase hex, RPC display order).</summary>
public readonly record struct ChainCheckpoint(int Height, string BlockHash);
