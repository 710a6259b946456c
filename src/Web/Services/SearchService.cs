using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Services;

/// <summary>
/// Case-insensitive substring search over registered names, display names and repository names, and prefix
/// search over user ids. Works on both providers; the indexer issue can move PostgreSQL onto the trigram indexes.
/// </summary>
public sealed class SearchService(IDbContextFactory<GitTorrentDbContext> factory)
{
    public const int MaxQueryLength = 100;
    private const int MaxResults = 50;

    public async Task<SearchResults> SearchAsync(string? query, CancellationToken cancellationToken)
    {
        var q = (query ?? string.Empty).Trim().ToLowerInvariant();
        if (q.Length == 0 || q.Length > MaxQueryLength)
        {
            return SearchResults.Empty;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking()
            .Where(u => u.UserId.StartsWith(q) || (u.DisplayName != null && u.DisplayName.ToLower().Contains(q)))
            .OrderByDescending(u => u.LastSeen)
            .Take(MaxResults)
            .Select(u => new UserSummary(u.UserId, u.DisplayName, u.LastSeen, u.Repositories.Count))
            .ToListAsync(cancellationToken);
        var repositories = await db.Repositories.AsNoTracking()
            .Where(r => r.Name.ToLower().Contains(q))
            .OrderByDescending(r => r.LastUpdated)
            .Take(MaxResults)
            .Select(r => new RepositorySummary(r.UserId, r.User!.DisplayName, r.Name, r.LastUpdated))
            .ToListAsync(cancellationToken);
        var names = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.Name != null && n.Name.ToLower().Contains(q))
            .Select(n => n.Name!)
            .Distinct()
            .OrderBy(n => n)
            .Take(MaxResults)
            .ToListAsync(cancellationToken);
        return new SearchResults(users, repositories, names);
    }
}
