using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Swarm;
using GitTorrent.Indexer.Swarm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Profiles;

/// <summary>
/// Keeps the set of known user ids (users in the database, keyhashes of name registrations, ids queued by the
/// portal), gets each profile through the DHT on a schedule with exponential backoff for ids not found, and
/// stores verified profiles with a higher seq (<see cref="ProfileStore"/>).
/// </summary>
public sealed partial class ProfileCrawler(
    SwarmNodeHost nodeHost,
    ProfileStore store,
    ProfileCrawlQueue queue,
    IDbContextFactory<GitTorrentDbContext> contexts,
    IOptions<ProfileCrawlerOptions> options,
    TimeProvider time,
    ILogger<ProfileCrawler> logger) : BackgroundService
{
    private readonly Dictionary<Hash20, (DateTimeOffset Next, int Failures)> _schedule = [];

    /// <summary>Profiles stored, fetches that found nothing, and profiles rejected, since start.</summary>
    public long Stored => Interlocked.Read(ref _stored);
    public long NotFound => Interlocked.Read(ref _notFound);
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _stored;
    private long _notFound;
    private long _rejected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GitTorrentNode node;
        try
        {
            node = await nodeHost.NodeAsync(stoppingToken).ConfigureAwait(false);
            await node.Joined.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNoNode(logger, e.Message);
            return;
        }
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = await DueAsync(stoppingToken).ConfigureAwait(false);
            if (due.Count == 0)
            {
                await Task.Delay(settings.Idle, time, stoppingToken).ConfigureAwait(false);
                continue;
            }
            await CrawlAsync(node, due, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fetches the given ids once and stores what verifies (also used by tests and the portal).</summary>
    public async Task CrawlAsync(GitTorrentNode node, IReadOnlyList<Hash20> ids, CancellationToken cancellationToken)
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
        var now = time.GetUtcNow();
        foreach (var profile in found)
        {
            _schedule[profile.UserId] = (now + settings.Interval, 0);
        }
        foreach (var id in missing)
        {
            var failures = _schedule.TryGetValue(id, out var entry) ? entry.Failures + 1 : 1;
            var backoff = TimeSpan.FromTicks(Math.Min(settings.MaxBackoff.Ticks,
                settings.InitialBackoff.Ticks * (1L << Math.Min(failures - 1, 20))));
            _schedule[id] = (now + backoff, failures);
        }
        if (found.Count + missing.Count > 0)
        {
            LogRound(logger, ids.Count, result.Stored, result.Unchanged, missing.Count, result.Rejected);
        }
    }

    private async Task<List<Hash20>> DueAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<Hash20>(queue.Snapshot());
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var id in await db.Users.AsNoTracking().Select(u => u.UserId).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                AddParsed(known, id);
            }
            var keyHashes = await db.NameRegistrations.AsNoTracking()
                .Where(r => r.KeyHash != null && r.Kind != NameRegistrationKind.Preorder)
                .Select(r => r.KeyHash!).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var id in keyHashes)
            {
                AddParsed(known, id);
            }
        }
        var now = time.GetUtcNow();
        return [.. known.Where(id => !_schedule.TryGetValue(id, out var entry) || entry.Next <= now)];
    }

    private static void AddParsed(HashSet<Hash20> set, string hex)
    {
        if (Hash20.TryParse(hex, out var id))
        {
            set.Add(id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile crawler off: the GitTorrent node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected the profile of {UserId}: {Reason}")]
    private static partial void LogBadProfile(ILogger logger, string userId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Profile lookup of {UserId} timed out")]
    private static partial void LogTimeout(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Crawled {Count} ids: {Stored} stored, {Unchanged} unchanged, {Missing} not found, {Rejected} rejected")]
    private static partial void LogRound(ILogger logger, int count, int stored, int unchanged, int missing, int rejected);
}
