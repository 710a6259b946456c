using System.Data.Common;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Node;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Profiles;

/// <summary>
/// Keeps the set of known user ids (users in the database, keyhashes of name registrations, ids queued by the
/// portal) as <see cref="JobKinds.ProfileCrawl"/> jobs, claims due ones in batches through the <see cref="JobRunner"/>
/// (so replicas over one database crawl each profile once per interval), gets each profile through the DHT, and stores
/// verified profiles with a higher seq (<see cref="ProfileStore"/>). A profile not found is due again after an
/// exponential backoff over its consecutive failed attempts; a found one is due again sooner the more recently its
/// seq changed (<see cref="ProfileCrawlerOptions.RecrawlInterval"/>). Before planning it turns keys seen in BEP 44
/// puts at the node into jobs (<see cref="Discovery.PutDiscovery"/>). A user whose profile is no longer found is kept,
/// with the time it was last found (<c>LastSeen</c>).
/// </summary>
public sealed partial class ProfileCrawler(
    NodeHost nodeHost,
    ProfileStore store,
    ProfileCrawlQueue queue,
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    IOptions<ProfileCrawlerOptions> options,
    TimeProvider time,
    ILogger<ProfileCrawler> logger,
    Discovery.PutDiscovery? puts = null,
    Discovery.SampleDiscovery? samples = null) : BackgroundService
{
    /// <summary>Profiles stored, fetches that found nothing, and profiles rejected, since start.</summary>
    public long Stored => Interlocked.Read(ref _stored);
    public long NotFound => Interlocked.Read(ref _notFound);
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _stored;
    private long _notFound;
    private long _rejected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await nodeHost.JoinedNodeOrNullAsync(reason => LogNoNode(logger, reason), stoppingToken).ConfigureAwait(false) is not { } node)
        {
            return;
        }
        var settings = options.Value;
        var planned = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() - planned >= settings.Idle)
                {
                    if (puts is not null)
                    {
                        await puts.ScanAsync(node, stoppingToken).ConfigureAwait(false);
                    }
                    await PlanAsync(stoppingToken).ConfigureAwait(false);
                    planned = time.GetUtcNow();
                }
                if (await RunBatchAsync(node, stoppingToken).ConfigureAwait(false) > 0)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException)
            {
                LogPlanFailed(logger, e.Message);
            }
            await jobs.WaitForWorkAsync(JobKinds.ProfileCrawl, settings.Idle, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a crawl job (due now) for every known id that has none: queued ids, users, registered keyhashes.</summary>
    public async Task<int> PlanAsync(CancellationToken cancellationToken)
    {
        var kind = JobKinds.ProfileCrawl;
        var missing = new HashSet<string>(queue.Snapshot().Select(id => id.ToString()), StringComparer.Ordinal);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            // Anti-joins: with every id already planned these return nothing, whatever the number of users.
            missing.UnionWith(await db.Users.AsNoTracking()
                .Where(u => !db.Jobs.Any(j => j.Kind == kind && j.Key == u.UserId))
                .Select(u => u.UserId).ToListAsync(cancellationToken).ConfigureAwait(false));
            missing.UnionWith(await db.NameRegistrations.AsNoTracking()
                .Where(r => r.KeyHash != null && r.Kind != NameRegistrationKind.Preorder && !db.Jobs.Any(j => j.Kind == kind && j.Key == r.KeyHash))
                .Select(r => r.KeyHash!).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false));
        }
        missing.RemoveWhere(id => !Hash20.IsLowerHex40(id));
        return missing.Count == 0 ? 0 : await jobs.Store.EnsureAsync(kind, missing, time.GetUtcNow(), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims up to <see cref="ProfileCrawlerOptions.BatchSize"/> due crawl jobs and crawls them; returns how many.</summary>
    public Task<int> RunBatchAsync(GitTorrentNode node, CancellationToken cancellationToken) =>
        jobs.RunDueAsync(JobKinds.ProfileCrawl, options.Value.BatchSize, (leases, ct) => CrawlBatchAsync(node, leases, ct), cancellationToken);

    private async Task<IReadOnlyDictionary<long, JobOutcome>> CrawlBatchAsync(GitTorrentNode node, IReadOnlyList<JobLease> leases,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var ids = leases.Where(l => Hash20.TryParse(l.Key, out _)).Select(l => Hash20.Parse(l.Key)).Distinct().ToList();
        var (found, _) = await CrawlAsync(node, ids, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var changed = await ChangedAtAsync(found, cancellationToken).ConfigureAwait(false);
        var outcomes = new Dictionary<long, JobOutcome>();
        foreach (var lease in leases)
        {
            if (!Hash20.TryParse(lease.Key, out var id))
            {
                outcomes[lease.JobId] = new JobOutcome(now + settings.MaxBackoff, "not a user id");
                continue;
            }
            puts?.Settle(id, found.Contains(id));
            samples?.Settle(id, found.Contains(id));
            if (found.Contains(id))
            {
                var age = changed.TryGetValue(lease.Key, out var at) ? now - at : TimeSpan.Zero;
                outcomes[lease.JobId] = new JobOutcome(now + settings.RecrawlInterval(age));
            }
            else
            {
                // Not found, timed out or rejected: back off over the consecutive failed attempts, this one included.
                outcomes[lease.JobId] = new JobOutcome(now + JobRunner.Backoff(settings.InitialBackoff, settings.MaxBackoff, lease.Attempts), "profile not found");
            }
        }
        return outcomes;
    }

    /// <summary>When each of <paramref name="ids"/> last got a profile with a higher seq (users not stored are left out).</summary>
    private async Task<Dictionary<string, DateTimeOffset>> ChangedAtAsync(IReadOnlySet<Hash20> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var keys = ids.Select(i => i.ToString()).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AsNoTracking().Where(u => keys.Contains(u.UserId))
            .ToDictionaryAsync(u => u.UserId, u => u.UpdatedAt, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches the given ids once and stores what verifies (the job handler; also used by tests). Returns the ids whose
    /// profile was found (stored or unchanged) and those not found, timed out or rejected.
    /// </summary>
    public async Task<(IReadOnlySet<Hash20> Found, IReadOnlySet<Hash20> Missing)> CrawlAsync(GitTorrentNode node, IReadOnlyList<Hash20> ids,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var found = new System.Collections.Concurrent.ConcurrentBag<SignedProfile>();
        var missing = new System.Collections.Concurrent.ConcurrentBag<Hash20>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(settings.FetchTimeout);
                try
                {
                    if (await node.GetProfileAsync(id, timeout.Token).ConfigureAwait(false) is { } profile)
                    {
                        found.Add(profile);
                        return;
                    }
                }
                catch (GitTorrentException e)
                {
                    LogBadProfile(logger, id.ToString(), e.Message);
                    Interlocked.Increment(ref _rejected);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    LogTimeout(logger, id.ToString());
                }
                missing.Add(id);
            }).ConfigureAwait(false);
        var result = await store.StoreAsync([.. found], cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _stored, result.Stored);
        Interlocked.Add(ref _rejected, result.Rejected);
        Interlocked.Add(ref _notFound, missing.Count);
        if (found.Count + missing.Count > 0)
        {
            LogRound(logger, ids.Count, result.Stored, result.Unchanged, missing.Count, result.Rejected);
        }
        return (found.Select(p => p.UserId).ToHashSet(), missing.ToHashSet());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile crawler off: the GitTorrent node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile crawl planning failed: {Reason}")]
    private static partial void LogPlanFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected the profile of {UserId}: {Reason}")]
    private static partial void LogBadProfile(ILogger logger, string userId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Profile lookup of {UserId} timed out")]
    private static partial void LogTimeout(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crawled {Count} ids: {Stored} stored, {Unchanged} unchanged, {Missing} not found, {Rejected} rejected")]
    private static partial void LogRound(ILogger logger, int count, int stored, int unchanged, int missing, int rejected);
}
