using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>
/// <c>/healthz</c> (liveness: the database and the DHT node) and <c>/readyz</c> (readiness, for a proxy: the database
/// answers, every migration is applied, the store is writable). Both write <see cref="HealthResponseWriter"/>'s JSON:
/// statuses for anyone, descriptions for a signed-in admin.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
            Predicate = check => check.Name is not (MigrationsHealthCheck.Name or StoreHealthCheck.Name),
        });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
            Predicate = check => check.Tags.Contains(MigrationsHealthCheck.ReadyTag),
        });
        return endpoints;
    }
}
