using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>
/// <c>/readyz</c>: the database answers and every migration this build knows is applied (a replica started from a
/// newer build than the schema, or an older one after a rollback, is not ready).
/// </summary>
public sealed class MigrationsHealthCheck(IDbContextFactory<GitTorrentDbContext> factory, DatabaseSettings settings) : IHealthCheck
{
    public const string Name = "migrations";

    /// <summary>The tag of the checks <c>/readyz</c> runs (and <c>/healthz</c> does not).</summary>
    public const string ReadyTag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy($"{settings.Description}: all {db.Database.GetMigrations().Count()} migrations applied")
                : HealthCheckResult.Unhealthy($"{settings.Description}: {pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{settings.Description} did not answer: {e.Message}");
        }
    }
}
