using System.Collections.Concurrent;
using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Indexer.Jobs;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Turns the user ids one discovery source names into <see cref="JobKinds.ProfileCrawl"/> jobs due now: ids this
/// portal does not hold, or holds at a lower seq than the source saw, at most <c>perMinute</c> in any minute (the rest
/// wait for a later call). Remembers what it handled (bounded by <c>limit</c>, then forgotten: the database answers
/// again) and counts each outcome under its source. The crawl job's DHT get verifies every profile before anything is
/// stored.
/// </summary>
public sealed class CrawlRequests(
    DiscoverySource source,
    int perMinute,
    int limit,
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    DiscoveryStatistics statistics,
    TimeProvider time)
{
    private readonly SlidingWindowBudget _budget = new(perMinute, TimeSpan.FromMinutes(1), time);

    // The highest seq already handled per id (so a call does no database work for ids it has seen; -1: seen, waiting
    // for the budget), and the ids whose crawl this source asked for (to count what their lookups found).
    private readonly ConcurrentDictionary<Hash20, long> _handled = new();
    private readonly ConcurrentDictionary<Hash20, byte> _asked = new();

    // Ids the budget held back, with the seq seen: offered again by every later call, so a source that names an id only
    // once (a sample) does not lose it. Bounded by the limit.
    private readonly ConcurrentDictionary<Hash20, long> _waiting = new();

    /// <summary>
    /// Makes crawls due for the candidates (an id and the seq the source saw; 0 when it saw none) that are new; returns
    /// how many it planned and how many wait for the budget.
    /// </summary>
    public async Task<(int Planned, int Waiting)> RequestAsync(IEnumerable<(Hash20 Id, long Seq)> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var fresh = candidates.Concat(_waiting.Select(w => (Id: w.Key, Seq: w.Value))).Where(c => !(_handled.TryGetValue(c.Id, out var seq) && seq >= c.Seq))
            .GroupBy(c => c.Id).Select(g => g.MaxBy(c => c.Seq)).ToList();
        if (fresh.Count == 0)
        {
            return (0, 0);
        }
        var held = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunk in fresh.Select(c => c.Id.ToString()).Chunk(500))
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
            _handled.Clear(); // a later call looks at the ids again; the database answers for the ones known
        }
        var wanted = new List<(Hash20 Id, long Seq)>();
        foreach (var candidate in fresh)
        {
            if (held.TryGetValue(candidate.Id.ToString(), out var seq) && seq >= candidate.Seq)
            {
                _handled[candidate.Id] = candidate.Seq;
                _waiting.TryRemove(candidate.Id, out _);
                continue;
            }
            wanted.Add(candidate);
        }
        statistics.Add(source, DiscoveryOutcome.Seen, wanted.Count(c => !_handled.ContainsKey(c.Id)));
        var granted = _budget.TryTake(wanted.Count);
        if (granted < wanted.Count)
        {
            statistics.Add(source, DiscoveryOutcome.RateLimited);
        }
        foreach (var (id, seq) in wanted.Take(granted))
        {
            await jobs.Store.RequestNowAsync(JobKinds.ProfileCrawl, id.ToString(), null, cancellationToken).ConfigureAwait(false);
            _handled[id] = seq;
            _waiting.TryRemove(id, out _);
            if (_asked.Count < limit)
            {
                _asked[id] = 0;
            }
        }
        foreach (var (id, seq) in wanted.Skip(granted))
        {
            _handled.TryAdd(id, -1); // seen (counted once), not handled yet
            if (_waiting.Count < limit || _waiting.ContainsKey(id))
            {
                _waiting[id] = seq;
            }
        }
        statistics.Add(source, DiscoveryOutcome.Lookup, granted);
        if (granted > 0)
        {
            jobs.Wake(JobKinds.ProfileCrawl);
        }
        return (granted, wanted.Count - granted);
    }

    /// <summary>Counts the outcome of a crawl this source asked for (the crawler calls this for every id it crawled).</summary>
    public void Settle(Hash20 id, bool found)
    {
        if (_asked.TryRemove(id, out _))
        {
            statistics.Add(source, found ? DiscoveryOutcome.Stored : DiscoveryOutcome.NotFound);
        }
    }
}
