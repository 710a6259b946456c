using GitTorrent.Engine;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Looks up the ids of the <see cref="DiscoveryQueue"/> in the DHT, at most <see cref="DiscoveryOptions.DiscoveryLookupsPerMinute"/>
/// in any minute, through the crawler's own fetch-verify-store routine (<see cref="ProfileCrawler.CrawlAsync"/>): a profile
/// found and verified is stored (and from then on crawled like any known user); an id with none is counted and forgotten.
/// </summary>
public sealed partial class DiscoveryLookupService(
    NodeHost nodeHost,
    ProfileCrawler crawler,
    DiscoveryQueue queue,
    DiscoveryStatistics statistics,
    IOptions<DiscoveryOptions> options,
    IOptions<ProfileCrawlerOptions> crawlerOptions,
    TimeProvider time,
    ILogger<DiscoveryLookupService> logger) : BackgroundService
{
    /// <summary>The window <see cref="DiscoveryOptions.DiscoveryLookupsPerMinute"/> counts over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await nodeHost.JoinedNodeOrNullAsync(reason => LogNoNode(logger, reason), stoppingToken).ConfigureAwait(false) is not { } node)
        {
            return;
        }
        var budget = new SlidingWindowBudget(options.Value.DiscoveryLookupsPerMinute, Window, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            await queue.WaitForIdsAsync(Idle, time, stoppingToken).ConfigureAwait(false);
            if (queue.Count == 0)
            {
                continue;
            }
            var granted = budget.TryTake(Math.Min(queue.Count, crawlerOptions.Value.Parallelism));
            if (granted == 0)
            {
                var wait = budget.UntilFree();
                statistics.Add(queue.OldestSource ?? DiscoverySource.Feed, DiscoveryOutcome.RateLimited);
                LogBudgetSpent(logger, queue.Count, wait.TotalSeconds);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(100), time, stoppingToken).ConfigureAwait(false);
                continue;
            }
            await LookUpAsync(node, queue.Take(granted), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task LookUpAsync(GitTorrentNode node, IReadOnlyList<(Hash20 Id, DiscoverySource Source)> batch, CancellationToken cancellationToken)
    {
        foreach (var (_, source) in batch)
        {
            statistics.Add(source, DiscoveryOutcome.Lookup);
        }
        IReadOnlySet<Hash20> found;
        try
        {
            (found, _) = await crawler.CrawlAsync(node, [.. batch.Select(b => b.Id)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
        {
            LogLookupFailed(logger, batch.Count, e.Message);
            return;
        }
        foreach (var (id, source) in batch)
        {
            statistics.Add(source, found.Contains(id) ? DiscoveryOutcome.Stored : DiscoveryOutcome.NotFound);
        }
        LogLookedUp(logger, batch.Count, found.Count, batch.Count - found.Count, queue.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "User discovery off: the GitTorrent node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: looked up {Count} ids in the DHT: {Found} found and stored, {NotFound} not found (not stored); {Pending} waiting")]
    private static partial void LogLookedUp(ILogger logger, int count, int found, int notFound, int pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: lookup budget spent, {Pending} ids wait {Seconds:0.0} s")]
    private static partial void LogBudgetSpent(ILogger logger, int pending, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery: storing the lookups of {Count} ids failed: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, int count, string reason);
}
