using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Users from BEP 44 puts that reached our DHT node: the node holds the items others stored here (their signatures
/// checked on arrival); an item without salt is a profile candidate whose user id is its target, SHA-1(k). Each scan
/// (run by the profile crawler before it plans) turns keys new to this portal, or carrying a higher seq than it holds,
/// into <see cref="JobKinds.ProfileCrawl"/> jobs due now, at most <see cref="DiscoveryOptions.DiscoveryPutsPerMinute"/>
/// in any minute (the rest stay in the node's store and are taken by a later scan). The crawl job's DHT get verifies
/// the profile before anything is stored, as for every other id.
/// </summary>
public sealed partial class PutDiscovery(
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    DiscoveryStatistics statistics,
    IOptions<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<PutDiscovery> logger)
{
    private readonly CrawlRequests _requests = new(DiscoverySource.Put, options.Value.DiscoveryPutsPerMinute,
        options.Value.DiscoveryQueueLimit, contexts, jobs, statistics, time);

    /// <summary>Plans crawls for the new keys among the items stored at <paramref name="node"/>; returns how many.</summary>
    public async Task<int> ScanAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!options.Value.DiscoveryFromPuts)
        {
            return 0;
        }
        var items = await node.Dht.GetStoredMutableItemsAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
        var (planned, waiting) = await _requests.RequestAsync(items.Where(i => i.Salt.Length == 0).Select(i => (i.Target, i.Sequence)),
            cancellationToken).ConfigureAwait(false);
        if (waiting > 0)
        {
            LogBudgetSpent(logger, waiting);
        }
        if (planned > 0)
        {
            LogPlanned(logger, planned, items.Count);
        }
        return planned;
    }

    /// <summary>Counts the outcome of a crawl a put asked for (the crawler calls this for every id it crawled).</summary>
    public void Settle(Hash20 id, bool found) => _requests.Settle(id, found);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: {Count} keys from BEP 44 puts at our node queued for a crawl ({Items} items held)")]
    private static partial void LogPlanned(ILogger logger, int count, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: put budget spent, {Count} keys wait for the next scan")]
    private static partial void LogBudgetSpent(ILogger logger, int count);
}
