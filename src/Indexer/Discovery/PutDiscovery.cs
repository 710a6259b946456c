using System.Collections.Concurrent;
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
    private readonly SlidingWindowBudget _budget = new(options.Value.DiscoveryPutsPerMinute, TimeSpan.FromMinutes(1), time);

    // The highest seq already handled per key (so a scan does no database work for items it has seen), and the ids
    // whose crawl a put asked for (to count what their lookups found); both bounded by the queue limit.
    private readonly ConcurrentDictionary<Hash20, long> _handled = new();
    private readonly ConcurrentDictionary<Hash20, byte> _asked = new();

    /// <summary>Plans crawls for the new keys among the items stored at <paramref name="node"/>; returns how many.</summary>
    public async Task<int> ScanAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!options.Value.DiscoveryFromPuts)
        {
            return 0;
        }
        var limit = options.Value.DiscoveryQueueLimit;
        var items = await node.Dht.GetStoredMutableItemsAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
        var fresh = items.Where(i => i.Salt.Length == 0 && !(_handled.TryGetValue(i.Target, out var seq) && seq >= i.Sequence))
            .GroupBy(i => i.Target).Select(g => g.MaxBy(i => i.Sequence)!).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }
        var keys = fresh.Select(i => i.Target.ToString()).ToList();
        Dictionary<string, long> held;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            held = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var chunk in keys.Chunk(500))
            {
                var rows = await db.Users.AsNoTracking().Where(u => chunk.Contains(u.UserId))
                    .Select(u => new { u.UserId, u.Seq }).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    held[row.UserId] = row.Seq;
                }
            }
        }
        if (_handled.Count > limit)
        {
            _handled.Clear(); // a later scan looks at the keys again; the database answers for the ones known
        }
        var wanted = new List<Hash20>();
        foreach (var item in fresh)
        {
            if (held.TryGetValue(item.Target.ToString(), out var seq) && seq >= item.Sequence)
            {
                _handled[item.Target] = item.Sequence;
                continue;
            }
            wanted.Add(item.Target);
        }
        statistics.Add(DiscoverySource.Put, DiscoveryOutcome.Seen, wanted.Count(id => !_handled.ContainsKey(id)));
        var granted = _budget.TryTake(wanted.Count);
        if (granted < wanted.Count)
        {
            statistics.Add(DiscoverySource.Put, DiscoveryOutcome.RateLimited);
            LogBudgetSpent(logger, wanted.Count - granted);
        }
        var take = wanted.Take(granted).ToList();
        foreach (var id in take)
        {
            await jobs.Store.RequestNowAsync(JobKinds.ProfileCrawl, id.ToString(), null, cancellationToken).ConfigureAwait(false);
            _handled[id] = fresh.First(i => i.Target == id).Sequence;
            if (_asked.Count < limit)
            {
                _asked[id] = 0;
            }
        }
        foreach (var id in wanted.Skip(granted))
        {
            _handled.TryAdd(id, -1); // seen (counted once), not handled yet
        }
        statistics.Add(DiscoverySource.Put, DiscoveryOutcome.Lookup, take.Count);
        if (take.Count > 0)
        {
            jobs.Wake(JobKinds.ProfileCrawl);
            LogPlanned(logger, take.Count, items.Count);
        }
        return take.Count;
    }

    /// <summary>Counts the outcome of a crawl a put asked for (the crawler calls this for every id it crawled).</summary>
    public void Settle(Hash20 id, bool found)
    {
        if (_asked.TryRemove(id, out _))
        {
            statistics.Add(DiscoverySource.Put, found ? DiscoveryOutcome.Stored : DiscoveryOutcome.NotFound);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: {Count} keys from BEP 44 puts at our node queued for a crawl ({Items} items held)")]
    private static partial void LogPlanned(ILogger logger, int count, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: put budget spent, {Count} keys wait for the next scan")]
    private static partial void LogBudgetSpent(ILogger logger, int count);
}
