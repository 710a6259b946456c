using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Services;

/// <summary>Read model of the home page: what changed lately.</summary>
public sealed class HomeFeed(IDbContextFactory<GitTorrentDbContext> factory)
{
    public async Task<IReadOnlyList<UserSummary>> RecentUsersAsync(int count, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking()
            .OrderByDescending(u => u.LastSeen)
            .Take(count)
            .Select(u => new UserSummary(u.UserId, u.DisplayName, u.LastSeen, u.Repositories.Count))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RepositorySummary>> RecentRepositoriesAsync(int count, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Repositories.AsNoTracking()
            .OrderByDescending(r => r.LastUpdated)
            .Take(count)
            .Select(r => new RepositorySummary(r.UserId, r.User!.DisplayName, r.Name, r.LastUpdated))
            .ToListAsync(cancellationToken);
    }
}
