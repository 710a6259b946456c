using GitTorrent.Data;
using GitTorrent.Web.Git;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>
/// <c>/readyz</c> for a proxy or an orchestrator: the database answers, every migration this build knows is applied
/// (a replica of an older build behind a newer schema, or the reverse, is not ready), and the repository store is
/// there and writable. Liveness (<c>/healthz</c>) does not include it.
/// </summary>
public sealed class ReadinessHealthCheck(IDbContextFactory<GitTorrentDbContext> factory, RepositoryStore store) : IHealthCheck
{
    public const string Name = "ready";

    /// <summary>The tag <c>/readyz</c> selects and <c>/healthz</c> leaves out.</summary>
    public const string Tag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            if (pending > 0)
            {
                return HealthCheckResult.Unhealthy($"{pending} migration(s) not applied");
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("the database did not answer");
        }

        try
        {
            Directory.CreateDirectory(store.Root);
            var probe = Path.Combine(store.Root, ".ready-" + Environment.ProcessId);
            await File.WriteAllBytesAsync(probe, [], cancellationToken);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("the repository store is not writable");
        }

        return HealthCheckResult.Healthy("database, migrations and store ready");
    }
}
