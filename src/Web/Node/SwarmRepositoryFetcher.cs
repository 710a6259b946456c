using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Node;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Mirrors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Node;

/// <summary>
/// Brings the repositories the indexer found (users' profiles), and the mirrors other replicas synced, into this
/// replica's store from the swarm, so they can be browsed and cloned over HTTP. Every round it takes a few due
/// repositories from a fair queue over all of them (<see cref="SwarmFetchQueue"/>: changed or never fetched, longest
/// waiting first) and fetches each with <see cref="CrawledRepositoryFetch"/>; a repository that fails, for whatever
/// reason (nobody serves it, a hostile profile, a ref git will not write), is retried after a growing wait while the
/// others proceed. Refs follow the profile; progress is shown on the repository page while a fetch runs. A mirror of
/// the portal that no sibling replica serves over the swarm comes from its origin after
/// <see cref="OriginFallbackAttempts"/> failed tries. Each replica fills its own store, so this work is per replica and
/// takes no lease (the shared background work does, through <c>JobRunner</c>).
/// </summary>
public sealed partial class SwarmRepositoryFetcher(
    NodeHost host,
    RepositoryStore store,
    PortalIdentity identity,
    SwarmActivity activity,
    GitBrowser browser,
    PortalNotifications notifications,
    IDbContextFactory<GitTorrentDbContext> contexts,
    IOptions<PortalOptions> options,
    TimeProvider time,
    UserQuota quota,
    MirrorService mirrors,
    ILogger<SwarmRepositoryFetcher> logger) : BackgroundService
{
    public static readonly TimeSpan Round = TimeSpan.FromSeconds(10);

    /// <summary>Failed swarm tries before a replica fills one of the portal's mirrors from its origin instead.</summary>
    public const int OriginFallbackAttempts = 3;

    private readonly SwarmFetchQueue _queue = new(options.Value.SwarmFetchRetry, options.Value.SwarmFetchMaxRetry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await host.JoinedNodeOrNullAsync(reason => LogNoNode(logger, reason), stoppingToken) is not { } node)
        {
            return;
        }
        await using var swarm = new SwarmFetcher(node);
        var fetch = new CrawledRepositoryFetch(swarm, new TipFetchOptions { SwarmTimeout = options.Value.SwarmTimeout });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FetchRoundAsync(fetch, stoppingToken);
            }
            catch (Exception e) when (e is GitTorrentException or IOException or DbUpdateException or InvalidOperationException)
            {
                LogRoundFailed(logger, e.Message);
            }
            await Task.Delay(Round, time, stoppingToken);
        }
    }

    private async Task FetchRoundAsync(CrawledRepositoryFetch fetch, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // The portal's own mirrors too: another replica may have synced one this replica's store lacks.
            var all = await db.Repositories.AsNoTracking()
                .Select(r => new { r.Id, r.LastUpdated }).ToListAsync(cancellationToken);
            _queue.Update(all.Select(r => (r.Id, r.LastUpdated)), time.GetUtcNow());
        }
        foreach (var id in _queue.TakeDue(time.GetUtcNow(), options.Value.SwarmFetchesPerRound))
        {
            string? reason;
            string userId = "", name = "";
            try
            {
                Data.Entities.Repository? row;
                await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                {
                    row = await db.Repositories.AsNoTracking().Include(r => r.Refs).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
                }
                if (row is null)
                {
                    continue; // gone since the round started; the next round forgets it
                }
                (userId, name) = (row.UserId, row.Name);
                reason = await FetchOneAsync(fetch, row.UserId, row.Name, row.Head,
                    row.Refs.ToDictionary(f => f.Name, f => f.Target, StringComparer.Ordinal), _queue.FailuresOf(id), cancellationToken);
            }
            catch (Exception e) when (e is GitTorrentException or IOException or UnauthorizedAccessException or DbUpdateException)
            {
                reason = e.Message;
            }
            if (reason is null)
            {
                _queue.Succeeded(id, time.GetUtcNow());
                continue;
            }
            var wait = _queue.Failed(id, time.GetUtcNow());
            LogFetchFailed(logger, userId, name, _queue.FailuresOf(id), wait.TotalSeconds, RemoteText.Printable(reason));
        }
    }

    /// <summary>Fetches one repository into the store; null when it is complete, else why not.</summary>
    private async Task<string?> FetchOneAsync(CrawledRepositoryFetch fetch, string userId, string name, string? head,
        Dictionary<string, string> refs, int failuresSoFar, CancellationToken cancellationToken)
    {
        if (store.PathOf(userId, name) is not { } path || refs.Count == 0)
        {
            return null; // nothing this portal can hold
        }
        if (RepositoryScanner.IsGitDirectory(path) && await MatchesAsync(path, refs, cancellationToken))
        {
            return null; // already at the listed refs (a mirror this replica synced itself, or fetched before)
        }
        // A repository that has not arrived is built beside the store and moved in whole, so pages keep showing
        // "not arrived" with its progress until it is complete.
        var arrived = RepositoryScanner.IsGitDirectory(path);
        var final = path;
        if (!arrived)
        {
            path += ".fetching";
            if (!RepositoryScanner.IsGitDirectory(path))
            {
                Directory.CreateDirectory(path);
                await GitRunner.RunAsync(path, ["init", "--quiet", "--bare"], cancellationToken);
            }
            activity.SetFetch(userId, name, new RepositoryFetchProgress("finding peers", 0, null));
        }
        var progress = new Progress<FetchReport>(report =>
        {
            if (report.Kind == FetchReportKind.Download && !arrived)
            {
                activity.SetFetch(userId, name, new RepositoryFetchProgress(report.Total > 0 ? "receiving pack" : "getting metadata",
                    report.Done, report.Total > 0 ? report.Total : null));
            }
        });
        var result = await fetch.FetchAsync(path, head, refs, bytes => quota.TryReserve(userId, bytes), progress, cancellationToken);
        if (!result.Fetched && userId == identity.UserId && failuresSoFar + 1 >= OriginFallbackAttempts
            && await mirrors.FetchFromOriginAsync(name, cancellationToken) && RepositoryScanner.IsGitDirectory(final))
        {
            LogFromOrigin(logger, name);
            activity.SetFetch(userId, name, null);
            return null;
        }
        if (!result.Fetched)
        {
            if (!arrived)
            {
                activity.SetFetch(userId, name, new RepositoryFetchProgress("waiting for a seeder: " + RemoteText.Printable(result.Error), 0, null));
            }
            return result.Error ?? "the fetch failed";
        }
        if (!arrived)
        {
            Directory.Move(path, final);
            path = final;
        }
        activity.SetFetch(userId, name, null);
        browser.Invalidate(path);
        if (result.Packs > 0 || !arrived)
        {
            LogFetched(logger, userId, name, result.Packs);
            var current = await GitRefs.ReadAsync(path, cancellationToken);
            await notifications.PublishRepositoryUpdatedAsync(
                new RepositoryUpdated(userId, name, path, current.ToDictionary(r => r.Key, r => r.Value.ToString())), cancellationToken);
        }
        return result.RefErrors.Count == 0 ? null : "refs git would not write: " + string.Join("; ", result.RefErrors);
    }

    private static async Task<bool> MatchesAsync(string path, Dictionary<string, string> refs, CancellationToken cancellationToken)
    {
        var local = await GitRefs.ReadAsync(path, cancellationToken);
        return refs.Where(r => r.Key != "HEAD").All(r => local.TryGetValue(r.Key, out var v) && v.ToString() == r.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filled mirror {Repository} from its origin: no replica served it over the swarm")]
    private static partial void LogFromOrigin(ILogger logger, string repository);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Swarm fetching off: the node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Could not fetch {UserId}/{Repository} ({Failures} time(s) in a row; next try in {RetrySeconds} s): {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string userId, string repository, int failures, double retrySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {UserId}/{Repository} from the swarm ({Packs} pack(s))")]
    private static partial void LogFetched(ILogger logger, string userId, string repository, int packs);
}
