namespace GitTorrent.Engine.Issues;

/// <summary>A blob read for the issue reader: its size, and its bytes unless it was larger than asked for.</summary>
public sealed record IssueBlob(long Size, byte[]? Content);
