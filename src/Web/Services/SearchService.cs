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

    /// <summary>Results of each kind on one page.</summary>
    public const int PageSize = 50;

    /// <summary>Pages beyond this are not served (each costs three queries).</summary>
    public const int MaxPage = 100;

    public Task<SearchResults> SearchAsync(string? query, CancellationToken cancellationToken) => SearchAsync(query, 1, cancellationToken);

    /// <summary>One page of results (1-based); <see cref="SearchResults.HasMore"/> says whether a next page has any.</summary>
    public async Task<SearchResults> SearchAsync(string? query, int page, CancellationToken cancellationToken)
    {
        var q = (query ?? string.Empty).Trim().ToLowerInvariant();
        if (q.Length == 0 || q.Length > MaxQueryLength || page is < 1 or > MaxPage)
        {
            return SearchResults.Empty;
        }

        var skip = (page - 1) * PageSize;

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking()
            .Where(u => u.UserId.StartsWith(q) || (u.DisplayName != null && u.DisplayName.ToLower().Contains(q)))
            .OrderByDescending(u => u.LastSeen)
            .ThenBy(u => u.UserId)
            .Skip(skip)
            .Take(PageSize + 1)
            .Select(u => new UserSummary(u.UserId, u.DisplayName, u.LastSeen, u.Repositories.Count))
            .ToListAsync(cancellationToken);
        var repositories = await db.Repositories.AsNoTracking()
            .Where(r => r.Name.ToLower().Contains(q))
            .OrderByDescending(r => r.LastUpdated)
            .ThenBy(r => r.Id)
            .Skip(skip)
            .Take(PageSize + 1)
            .Select(r => new RepositorySummary(r.UserId, r.User!.DisplayName, r.Name, r.LastUpdated))
            .ToListAsync(cancellationToken);
        var names = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.Name != null && n.Name.ToLower().Contains(q))
            .Select(n => n.Name!)
            .Distinct()
            .OrderBy(n => n)
            .Skip(skip)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        var hasMore = users.Count > PageSize || repositories.Count > PageSize || names.Count > PageSize;
        return new SearchResults([.. users.Take(PageSize)], [.. repositories.Take(PageSize)], [.. names.Take(PageSize)], hasMore);
    }
}
