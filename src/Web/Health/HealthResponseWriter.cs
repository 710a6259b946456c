using System.Text.Json;
using GitTorrent.Web.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Health;

/// <summary>
/// Writes <c>{"status":"Healthy","checks":{"database":{"status":"Healthy"}}}</c>. Each check's description (the
/// database's address, an error text, the DHT endpoint) is added only for a signed-in admin: to anyone else it would
/// tell where the database lives and why it fails.
/// </summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        var details = context.User.IsInRole(AdminSignIn.AdminRole);
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = details ? e.Value.Description : null }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Options), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
