using System.Net;
using OpenTelemetry.Metrics;

namespace GitTorrent.Web.Observability;

/// <summary>
/// <c>/metrics</c>: the Prometheus text exposition of the portal's instruments (<see cref="PortalMetrics"/>), ASP.NET
/// Core's and Kestrel's built-in meters, through OpenTelemetry's Prometheus exporter. Answered only to clients in
/// <see cref="PortalOptions.MetricsAllowedNetworks"/> (default: loopback); others get 404 as if it did not exist.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddPortalMetrics(this IServiceCollection services)
    {
        services.AddSingleton<PortalMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PortalMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics",
                "Microsoft.AspNetCore.RateLimiting", "System.Net.Http")
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Serves <c>/metrics</c> to allowed clients; creates the portal's instruments.</summary>
    public static IApplicationBuilder UsePortalMetrics(this IApplicationBuilder app)
    {
        _ = app.ApplicationServices.GetRequiredService<PortalMetrics>();
        var allowed = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<PortalOptions>>().Value.MetricsNetworks();
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == Path && IsAllowed(context.Connection.RemoteIpAddress, allowed));
    }

    public static bool IsAllowed(IPAddress? client, IReadOnlyList<IPNetwork> allowed)
    {
        if (client is null)
        {
            return false;
        }
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        return allowed.Any(n => n.Contains(address));
    }
}
