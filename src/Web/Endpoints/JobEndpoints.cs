using GitTorrent.Indexer.Jobs;
using GitTorrent.Web.Admin;

namespace GitTorrent.Web.Endpoints;

/// <summary><c>GET /api/admin/jobs</c>: the leased background jobs as JSON (admins only), for scripts and monitoring.</summary>
public static class JobEndpoints
{
    public const int MaxRows = 1000;

    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/admin/jobs", async (JobRunner runner, CancellationToken cancellationToken) =>
        {
            var counters = runner.Counters;
            return Results.Json(new
            {
                replica = runner.Holder,
                counters = new { claimed = counters.Claimed, takenOver = counters.TakenOver, lost = counters.Lost, failed = counters.Failed },
                kinds = (await runner.Store.CountAsync(cancellationToken)).Select(k => new { kind = k.Kind, total = k.Total, running = k.Running, failing = k.Failing }),
                jobs = (await runner.Store.ListAsync(MaxRows, cancellationToken)).Select(j => new
                {
                    kind = j.Kind,
                    key = j.Key,
                    replica = j.Replica,
                    holder = j.LeaseHolder,
                    leaseExpiresAt = j.LeaseExpiresAt,
                    dueAt = j.DueAt,
                    runs = j.Runs,
                    attempts = j.Attempts,
                    lastStartedAt = j.LastStartedAt,
                    lastFinishedAt = j.LastFinishedAt,
                    lastError = j.LastError,
                }),
            });
        }).RequireAuthorization(AdminSignIn.Policy);
        return endpoints;
    }
}
