using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Mirrors;

/// <summary>
/// Syncs each mirror when its interval has passed since the last sync (and at once when one is added in this
/// process). Looks at the schedule every <see cref="PortalOptions.MirrorPollInterval"/>, so mirrors added with
/// the <c>mirror add</c> command are picked up without a restart.
/// </summary>
public sealed partial class MirrorSyncService(
    IDbContextFactory<GitTorrentDbContext> factory,
    MirrorService mirrors,
    IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<MirrorSyncService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.MirrorPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await DueAsync(stoppingToken))
                {
                    await mirrors.SyncAsync(id, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScheduleFailed(e);
            }

            // Sleep until the next poll, or until a mirror added here asks for a sync.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(poll);
            try
            {
                var id = await mirrors.Wakeups.ReadAsync(wait.Token);
                await mirrors.SyncAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval passed.
            }
        }
    }

    private async Task<List<long>> DueAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var all = await db.Mirrors.AsNoTracking().Select(m => new { m.Id, m.LastSync, m.SyncInterval }).ToListAsync(cancellationToken);
        return [.. all.Where(m => m.LastSync is null || m.LastSync.Value + m.SyncInterval <= now).Select(m => m.Id)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror schedule check failed")]
    private partial void LogScheduleFailed(Exception exception);
}
