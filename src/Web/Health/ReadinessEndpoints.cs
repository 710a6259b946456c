using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary><c>/readyz</c>: 200 when every check tagged <see cref="ReadinessHealthCheck.Tag"/> passes, else 503; statuses only, no details.</summary>
public static class ReadinessEndpoints
{
    public static IEndpointRouteBuilder MapReadiness(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessHealthCheck.Tag),
            ResponseWriter = (context, report) =>
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                var body = new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
                };
                return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
            },
        });
        return endpoints;
    }

    /// <summary>For <c>/healthz</c>: every check except the readiness ones.</summary>
    public static bool IsLiveness(HealthCheckRegistration check) => !check.Tags.Contains(ReadinessHealthCheck.Tag);
}
