namespace GitTorrent.Web.Services;

public sealed record UserSummary(string UserId, string? DisplayName, DateTimeOffset LastSeen, int RepositoryCount);
