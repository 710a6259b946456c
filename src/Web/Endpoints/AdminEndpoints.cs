using GitTorrent.Web.Admin;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Mirrors;
using GitTorrent.Web.Node;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Admin endpoints besides the pages: sign-out (form post with antiforgery) and a JSON mirror API. Every one needs
/// the <see cref="AdminSignIn.Policy"/>; anonymous callers get 401 (API) or a redirect to the login page.
/// </summary>
public static class AdminEndpoints
{
    public sealed record AddMirrorRequest(string OriginUrl, string? Name, string? Interval);

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/logout", async (HttpContext context, [FromForm] string? returnUrl) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        }).RequireAuthorization();

        var api = endpoints.MapGroup("/api/admin").RequireAuthorization(AdminSignIn.Policy);
        api.MapGet("/stats", (PortalCounters counters, StorageUsage storage, UserQuota quota) =>
        {
            var totals = storage.Totals();
            return Results.Json(new
            {
                counters = counters.Snapshot().ToDictionary(c => c.Key, c => c.Value),
                storage = new
                {
                    storeBytes = totals.StoreBytes,
                    packCacheBytes = totals.PackCacheBytes,
                    downloadBytes = totals.DownloadBytes,
                    manifestBytes = totals.ManifestBytes,
                    userQuotaBytes = quota.QuotaBytes,
                    users = totals.Users.Select(u => new { userId = u.UserId, bytes = u.Bytes }),
                },
            });
        });
        api.MapGet("/mirrors", async (MirrorService mirrors, PortalIdentity identity, CancellationToken cancellationToken) =>
            Results.Json((await mirrors.ListAsync(cancellationToken)).Select(m => new
            {
                name = m.Name,
                originUrl = m.OriginUrl,
                interval = MirrorInterval.Format(m.SyncInterval),
                lastSync = m.LastSync,
                lastError = m.LastError,
                bytesServed = m.BytesServed,
                url = $"/u/{identity.UserId}/{m.Name}",
            })));
        api.MapPost("/mirrors", async (AddMirrorRequest request, MirrorService mirrors, CancellationToken cancellationToken) =>
        {
            var interval = MirrorInterval.Default;
            if (request.Interval is not null && !MirrorInterval.TryParse(request.Interval, out interval))
            {
                return Results.BadRequest(new { error = "interval must look like 30s, 15m, 1h or 1d" });
            }

            var result = await mirrors.AddAsync(request.OriginUrl, request.Name, interval, cancellationToken);
            return result.Succeeded
                ? Results.Created($"/api/admin/mirrors/{result.Mirror!.Name}", new { name = result.Mirror.Name })
                : Results.BadRequest(new { error = result.Error });
        });
        api.MapPost("/mirrors/{name}/sync", async (string name, MirrorService mirrors, CancellationToken cancellationToken) =>
        {
            if (await mirrors.FindAsync(name, cancellationToken) is not { } mirror)
            {
                return Results.NotFound();
            }

            await mirrors.RequestSyncAsync(mirror.Id, cancellationToken);
            return Results.Accepted();
        });
        return endpoints;
    }
}
