namespace GitTorrent.Web.Services;

public sealed record RepositorySummary(string UserId, string? OwnerDisplayName, string Name, DateTimeOffset LastUpdated);
