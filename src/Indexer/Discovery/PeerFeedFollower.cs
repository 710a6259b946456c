using System.Net;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Follows the <c>/api/users</c> feeds of the portals in <see cref="DiscoveryOptions.Peers"/>: one leased
/// <see cref="JobKinds.PeerFeed"/> job per peer (whichever replica holds it reads), pages read from the cursor kept in
/// <c>peer_feeds</c>, each answer bounded in time (<see cref="DiscoveryOptions.PeerFeedTimeout"/>) and bytes
/// (<see cref="DiscoveryOptions.PeerFeedMaxBytes"/>), no redirects followed. Every id named that this portal does not
/// already hold at that seq goes to the <see cref="DiscoveryQueue"/> (rate-limited DHT lookups; nothing is stored
/// unless verified there). A page is read only when the queue has room for it; a failed read backs off exponentially.
/// </summary>
public sealed partial class PeerFeedFollower(
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    DiscoveryQueue queue,
    DiscoveryStatistics statistics,
    IOptions<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<PeerFeedFollower> logger) : BackgroundService
{
    /// <summary>How soon a feed job whose next page does not fit in the queue looks again.</summary>
    private static readonly TimeSpan RoomWait = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each read has its own deadline (PeerFeedTimeout)
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PeerList().Count == 0)
        {
            return Task.CompletedTask;
        }
        return jobs.RunPlannedAsync(JobKinds.PeerFeed, PlanAsync, ReadAsync, TimeSpan.FromTicks(Math.Min(options.Value.PeerFeedInterval.Ticks, RoomWait.Ticks)),
            e => LogScheduleFailed(logger, e.Message), stoppingToken);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task PlanAsync(CancellationToken cancellationToken)
    {
        var peers = options.Value.PeerList();
        await jobs.Store.EnsureAsync(JobKinds.PeerFeed, peers, time.GetUtcNow(), null, cancellationToken).ConfigureAwait(false);
        await jobs.Store.RemoveExceptAsync(JobKinds.PeerFeed, peers, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The job handler: reads pages of one peer's feed from its cursor (public for tests).</summary>
    public async Task<JobOutcome> ReadAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var settings = options.Value;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var feed = await db.PeerFeeds.SingleOrDefaultAsync(f => f.BaseUrl == lease.Key, cancellationToken).ConfigureAwait(false);
        if (feed is null)
        {
            feed = new PeerFeed { BaseUrl = lease.Key };
            db.PeerFeeds.Add(feed);
        }
        for (var pages = 0; pages < settings.PeerFeedPagesPerRun; pages++)
        {
            if (queue.Room < settings.PeerFeedPageSize)
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return new JobOutcome(time.GetUtcNow() + RoomWait);
            }
            PeerFeedPage page;
            try
            {
                page = await FetchAsync(feed.BaseUrl, feed.Cursor, cancellationToken).ConfigureAwait(false);
            }
            catch (PeerFeedException e)
            {
                feed.LastError = e.Message.Length > DataLimits.MaxJobError ? e.Message[..DataLimits.MaxJobError] : e.Message;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                var backoff = JobRunner.Backoff(settings.PeerFeedInitialBackoff, settings.PeerFeedMaxBackoff, lease.Attempts);
                LogReadFailed(logger, feed.BaseUrl, e.Message, backoff.TotalSeconds);
                return new JobOutcome(time.GetUtcNow() + backoff, e.Message);
            }
            var queued = await QueueAsync(db, page, cancellationToken).ConfigureAwait(false);
            feed.IdsSeen += page.Users.Count;
            feed.LastReadAt = time.GetUtcNow();
            feed.LastError = null;
            LogPage(logger, feed.BaseUrl, page.Users.Count, queued, page.Skipped);
            if (page.Next is null || page.Next == feed.Cursor)
            {
                feed.CaughtUpAt = feed.LastReadAt;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return new JobOutcome(time.GetUtcNow() + settings.PeerFeedInterval);
            }
            feed.Cursor = page.Next;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        return new JobOutcome(time.GetUtcNow()); // more pages: due again at once
    }

    /// <summary>Queues the ids this portal does not hold at the seq the feed names; returns how many it queued.</summary>
    private async Task<int> QueueAsync(GitTorrentDbContext db, PeerFeedPage page, CancellationToken cancellationToken)
    {
        statistics.Add(DiscoverySource.Feed, DiscoveryOutcome.Seen, page.Users.Count);
        var ids = page.Users.Select(u => u.Id.ToString()).ToList();
        var known = await db.Users.AsNoTracking().Where(u => ids.Contains(u.UserId))
            .ToDictionaryAsync(u => u.UserId, u => u.Seq, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var queued = 0;
        foreach (var (id, seq) in page.Users)
        {
            if (known.TryGetValue(id.ToString(), out var held) && held >= seq)
            {
                continue;
            }
            if (queue.TryAdd(id, DiscoverySource.Feed))
            {
                queued++;
            }
        }
        return queued;
    }

    private async Task<PeerFeedPage> FetchAsync(string baseUrl, string? cursor, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var url = $"{baseUrl}/api/users?limit={settings.PeerFeedPageSize}" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.PeerFeedTimeout);
        try
        {
            using var response = await _http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new PeerFeedException($"{url} answered {(int)response.StatusCode}");
            }
            if (response.Content.Headers.ContentLength > settings.PeerFeedMaxBytes)
            {
                throw new PeerFeedException($"{url} sent {response.Content.Headers.ContentLength} bytes, more than {settings.PeerFeedMaxBytes}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await body.ReadAsync(chunk, deadline.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > settings.PeerFeedMaxBytes)
                {
                    throw new PeerFeedException($"{url} sent more than {settings.PeerFeedMaxBytes} bytes");
                }
                buffer.Write(chunk, 0, read);
            }
            return PeerFeedPage.TryParse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), settings.PeerFeedPageSize, out var error)
                ?? throw new PeerFeedException($"{url}: {error}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PeerFeedException($"{url} did not answer within {settings.PeerFeedTimeout}");
        }
        catch (HttpRequestException e)
        {
            throw new PeerFeedException($"{url}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer feeds: scheduling failed: {Reason}")]
    private static partial void LogScheduleFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer feed {Peer}: {Reason}; next try in {Seconds:0} s")]
    private static partial void LogReadFailed(ILogger logger, string peer, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer feed {Peer}: {Count} ids, {Queued} queued for a DHT lookup, {Skipped} entries skipped")]
    private static partial void LogPage(ILogger logger, string peer, int count, int queued, int skipped);
}
