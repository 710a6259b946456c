namespace GitTorrent.Web.Services;

/// <summary>A repository row with its published refs (full name to 40-hex commit id).</summary>
public sealed record RepositoryRecord(long Id, string UserId, string Name, string? Head, DateTimeOffset LastUpdated, IReadOnlyDictionary<string, string> Refs);
