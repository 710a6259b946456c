using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Node;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Users whose BEP 44 puts never reached our node: every <see cref="DiscoveryOptions.DiscoverySampleInterval"/> the
/// portal asks up to <see cref="DiscoveryOptions.DiscoverySampleNodesPerWalk"/> DHT nodes for a sample of the targets of
/// the profile items they store (<c>sample_items</c>; <see cref="SampleWalk"/> decides whom and when), and keys new to
/// the portal become crawl jobs through <see cref="CrawlRequests"/> (at most
/// <see cref="DiscoveryOptions.DiscoverySamplesPerMinute"/> in any minute). A sample is only a hint: the crawl job's
/// DHT get verifies a profile before anything is stored, so a node that lies costs lookups within the budget, never
/// data. Nodes that do not know the query (other clients) answer with an error and are forgotten.
/// </summary>
public sealed partial class SampleDiscovery(
    NodeHost nodeHost,
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    DiscoveryStatistics statistics,
    IOptions<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<SampleDiscovery> logger) : BackgroundService
{
    /// <summary>Queries of one walk in flight at once.</summary>
    public const int Parallel = 16;

    private readonly SampleWalk _walk = new(options.Value.DiscoverySampleNodesKnown, options.Value.DiscoverySampleMinInterval);
    private readonly CrawlRequests _requests = new(DiscoverySource.Sample, options.Value.DiscoverySamplesPerMinute,
        options.Value.DiscoveryQueueLimit, contexts, jobs, statistics, time);

    /// <summary>Nodes the walk may ask besides those of the routing table (the walk keeps at most its bound).</summary>
    public int AddNodes(IEnumerable<Engine.Dht.DhtContact> contacts) => _walk.Add(contacts);

    /// <summary>Counts the outcome of a crawl a sample asked for (the crawler calls this for every id it crawled).</summary>
    public void Settle(Hash20 id, bool found) => _requests.Settle(id, found);

    /// <summary>One walk: asks the nodes due for a sample and plans crawls for the new keys; returns how many it planned.</summary>
    public async Task<int> WalkAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var settings = options.Value;
        var now = time.GetUtcNow();
        var asked = _walk.Next(settings.DiscoverySampleNodesPerWalk, now);
        if (asked.Count < settings.DiscoverySampleNodesPerWalk)
        {
            // Few nodes left to ask: the routing table names more (and again after churn).
            _walk.Add(await node.Dht.GetRoutingContactsAsync(settings.DiscoverySampleNodesKnown, cancellationToken).ConfigureAwait(false));
            asked = [.. asked, .. _walk.Next(settings.DiscoverySampleNodesPerWalk - asked.Count, now)];
        }
        var targets = new List<Hash20>();
        var answered = 0;
        foreach (var group in asked.Chunk(Parallel))
        {
            var samples = await Task.WhenAll(group.Select(n => node.Dht.SampleItemsAsync(n, Hash20.Random(), cancellationToken))).ConfigureAwait(false);
            now = time.GetUtcNow();
            for (var i = 0; i < group.Length; i++)
            {
                if (samples[i] is { } sample)
                {
                    answered++;
                    targets.AddRange(_walk.Answered(group[i], sample, now));
                }
                else
                {
                    _walk.Failed(group[i], now);
                }
            }
        }
        var (planned, waiting) = await _requests.RequestAsync(targets.Select(t => (t, 0L)), cancellationToken).ConfigureAwait(false);
        if (asked.Count > 0)
        {
            LogWalked(logger, asked.Count, answered, targets.Count, planned, waiting, _walk.Count);
        }
        return planned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DiscoveryFromSamples)
        {
            return;
        }
        if (await nodeHost.JoinedNodeOrNullAsync(reason => LogNoNode(logger, reason), stoppingToken).ConfigureAwait(false) is not { } node)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WalkAsync(node, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
            {
                LogWalkFailed(logger, e.Message);
            }
            await Task.Delay(options.Value.DiscoverySampleInterval, time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Discovery: asked {Asked} DHT nodes for samples ({Answered} answered, {Targets} keys), {Planned} crawls planned, {Waiting} wait; {Known} nodes known")]
    private static partial void LogWalked(ILogger logger, int asked, int answered, int targets, int planned, int waiting, int known);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery from samples is off: no DHT node ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery: a sample walk failed: {Reason}")]
    private static partial void LogWalkFailed(ILogger logger, string reason);
}
