using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>Healthy when the database answers a query against the migrated schema.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<GitTorrentDbContext> factory, DatabaseSettings settings) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            // A cheap query against the migrated schema: proves the server answers and the tables exist.
            _ = await db.Users.AsNoTracking().AnyAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{settings.Description} answered");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{settings.Description} did not answer: {e.Message}");
        }
    }
}
