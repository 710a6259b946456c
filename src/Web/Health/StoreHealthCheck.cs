using GitTorrent.Web.Git;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>
/// Part of <c>/readyz</c> (not <c>/healthz</c>): the repository store is there and writable, so a replica behind the
/// proxy can serve and receive repositories.
/// </summary>
public sealed class StoreHealthCheck(RepositoryStore store) : IHealthCheck
{
    public const string Name = "store";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(store.Root);
            var probe = Path.Combine(store.Root, ".ready-" + Environment.ProcessId);
            await File.WriteAllBytesAsync(probe, [], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy($"{store.Root} is writable");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"the repository store {store.Root} is not writable: {e.Message}");
        }
    }
}
