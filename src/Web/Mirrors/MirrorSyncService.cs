using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Mirrors;

/// <summary>
/// Each mirror is a <see cref="JobKinds.MirrorSync"/> job (key = the mirror's id), due one interval after its last sync:
/// whichever replica claims it syncs it, under a lease, so replicas over one database sync each mirror once per interval
/// and never twice at once; a replica that dies mid-sync is replaced within the lease. Every
/// <see cref="PortalOptions.MirrorPollInterval"/> (or at once when a mirror is added or "sync now" is asked here) it
/// creates jobs for new mirrors, drops those of deleted ones and runs what is due.
/// </summary>
public sealed partial class MirrorSyncService(
    IDbContextFactory<GitTorrentDbContext> factory,
    MirrorService mirrors,
    JobRunner jobs,
    IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<MirrorSyncService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        jobs.RunPlannedAsync(JobKinds.MirrorSync, PlanAsync, SyncAsync, options.Value.MirrorPollInterval, LogScheduleFailed, stoppingToken);

    /// <summary>A job per mirror (due one interval after its last sync, or now); none for deleted mirrors.</summary>
    private async Task PlanAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var all = await db.Mirrors.AsNoTracking().Select(m => new { m.Id, m.LastSync, m.SyncInterval }).ToListAsync(cancellationToken);
        var keys = all.Select(m => Key(m.Id)).ToList();
        var planned = await db.Jobs.AsNoTracking().Where(j => j.Kind == JobKinds.MirrorSync).Select(j => j.Key).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var mirror in all.Where(m => !planned.Contains(Key(m.Id))))
        {
            var due = mirror.LastSync is { } last && last + mirror.SyncInterval > now ? last + mirror.SyncInterval : now;
            await jobs.Store.EnsureAsync(JobKinds.MirrorSync, [Key(mirror.Id)], due, null, cancellationToken);
        }

        if (planned.Except(keys, StringComparer.Ordinal).Any())
        {
            await jobs.Store.RemoveExceptAsync(JobKinds.MirrorSync, keys, null, cancellationToken);
        }
    }

    /// <summary>The job handler: one sync, due again one interval later whatever the outcome (the error is recorded).</summary>
    private async Task<JobOutcome> SyncAsync(JobLease lease, CancellationToken cancellationToken)
    {
        if (!long.TryParse(lease.Key, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return new JobOutcome(DateTimeOffset.MaxValue, "not a mirror id");
        }

        var error = await mirrors.SyncAsync(id, cancellationToken);
        var interval = (await mirrors.FindAsync(id, cancellationToken))?.SyncInterval ?? MirrorInterval.Maximum;
        return new JobOutcome(time.GetUtcNow() + interval, error);
    }

    public static string Key(long mirrorId) => mirrorId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror schedule check failed")]
    private partial void LogScheduleFailed(Exception exception);
}
