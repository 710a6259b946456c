using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Swarm;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Swarm;
using GitTorrent.Web.Mirrors;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Swarm;

/// <summary>
/// Brings the repositories the indexer found (users' profiles) and the mirrors other replicas synced into this replica's
/// store from the swarm (as leased jobs, one per repository and replica), so they can be browsed
/// and cloned over HTTP (ARCHITECTURE.md "Index": the portal fetches those repositories into its store). Refs follow
/// the profile; progress is shown on the repository page while a fetch runs; a repository no peer can serve is
/// retried on the next round.
/// </summary>
public sealed partial class SwarmRepositoryFetcher(
    SwarmNodeHost host,
    RepositoryStore store,
    PortalIdentity identity,
    SwarmActivity activity,
    GitBrowser browser,
    PortalNotifications notifications,
    IDbContextFactory<GitTorrentDbContext> contexts,
    JobRunner jobs,
    MirrorService mirrors,
    ILogger<SwarmRepositoryFetcher> logger) : BackgroundService
{
    public static readonly TimeSpan Round = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GitTorrentNode node;
        try
        {
            node = await host.NodeAsync(stoppingToken);
            await node.Joined.WaitAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNoNode(logger, e.Message);
            return;
        }
        await using var fetcher = new SwarmFetcher(node);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FetchRoundAsync(fetcher, stoppingToken);
            }
            catch (Exception e) when (e is GitTorrentException or IOException or DbUpdateException)
            {
                LogRoundFailed(logger, e.Message);
            }
            await Task.Delay(Round, stoppingToken);
        }
    }

    /// <summary>
    /// Plans one <see cref="JobKinds.SwarmFetch"/> job, scoped to this replica, per repository the database lists that
    /// this replica's store lacks or holds at other refs (users' repositories from crawled profiles, and mirrors another
    /// replica synced), then runs the due ones. A fetched repository is checked again hourly or when its refs change; one
    /// no peer can serve is retried every <see cref="Round"/>.
    /// </summary>
    private async Task FetchRoundAsync(SwarmFetcher fetcher, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, (string UserId, string Name, string? Head, Dictionary<string, string> Refs)>(StringComparer.Ordinal);
        Dictionary<string, (DateTimeOffset DueAt, bool Failing)> planned;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var rows = await db.Repositories.AsNoTracking().Include(r => r.Refs)
                .OrderByDescending(r => r.LastUpdated).Take(500).ToListAsync(cancellationToken);
            foreach (var r in rows)
            {
                wanted[JobKey(r.UserId, r.Name)] = (r.UserId, r.Name, r.Head, r.Refs.ToDictionary(f => f.Name, f => f.Target, StringComparer.Ordinal));
            }
            planned = await db.Jobs.AsNoTracking().Where(j => j.Kind == JobKinds.SwarmFetch && j.Replica == jobs.Replica)
                .ToDictionaryAsync(j => j.Key, j => (j.DueAt, j.LastError != null), StringComparer.Ordinal, cancellationToken);
        }
        foreach (var (key, (userId, name, _, refs)) in wanted)
        {
            if (store.PathOf(userId, name) is not { } path || refs.Count == 0
                || (RepositoryScanner.IsGitDirectory(path) && await MatchesAsync(path, refs, cancellationToken)))
            {
                continue;
            }
            if (!planned.TryGetValue(key, out var job))
            {
                await jobs.Store.EnsureAsync(JobKinds.SwarmFetch, [key], DateTimeOffset.UtcNow, jobs.Replica, cancellationToken);
            }
            else if (!job.Failing && job.DueAt > DateTimeOffset.UtcNow)
            {
                await jobs.Store.RequestNowAsync(JobKinds.SwarmFetch, key, jobs.Replica, cancellationToken); // the refs moved
            }
        }
        var gone = planned.Keys.Where(k => !wanted.ContainsKey(k)).ToList();
        if (gone.Count > 0)
        {
            await jobs.Store.RemoveExceptAsync(JobKinds.SwarmFetch, [.. planned.Keys.Except(gone)], jobs.Replica, cancellationToken);
        }
        while (await jobs.RunOneAsync(JobKinds.SwarmFetch, (lease, ct) => FetchJobAsync(fetcher, lease, wanted, ct), cancellationToken))
        {
            // Drain what is due.
        }
    }

    /// <summary>The job key: this replica and the repository (a swarm fetch fills one replica's own store).</summary>
    private string JobKey(string userId, string name) => $"{jobs.Replica}:{userId}/{name}";

    /// <summary>
    /// One fetch as a job (idempotent: a repository already at the wanted refs succeeds at once). A mirror that no
    /// sibling replica serves yet comes from its origin instead.
    /// </summary>
    private async Task<JobOutcome> FetchJobAsync(SwarmFetcher fetcher, JobLease lease,
        IReadOnlyDictionary<string, (string UserId, string Name, string? Head, Dictionary<string, string> Refs)> wanted, CancellationToken cancellationToken)
    {
        if (!wanted.TryGetValue(lease.Key, out var repository) || store.PathOf(repository.UserId, repository.Name) is not { } path)
        {
            return new JobOutcome(DateTimeOffset.UtcNow + TimeSpan.FromHours(1)); // no longer listed: the next round drops the job
        }
        var (userId, name, head, refs) = repository;
        if (!(RepositoryScanner.IsGitDirectory(path) && await MatchesAsync(path, refs, cancellationToken)))
        {
            await FetchOneAsync(fetcher, userId, name, path, head, refs, cancellationToken);
        }
        if (RepositoryScanner.IsGitDirectory(path) && await MatchesAsync(path, refs, cancellationToken))
        {
            return new JobOutcome(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        }
        if (userId == identity.UserId && lease.Attempts >= OriginFallbackAttempts
            && await mirrors.FetchFromOriginAsync(name, cancellationToken) && RepositoryScanner.IsGitDirectory(path))
        {
            LogFromOrigin(logger, name);
            activity.SetFetch(userId, name, null);
            return new JobOutcome(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        }
        return new JobOutcome(DateTimeOffset.UtcNow + Round, "no peer has served it yet");
    }

    /// <summary>Failed swarm attempts before a replica fills a mirror from its origin instead.</summary>
    public const int OriginFallbackAttempts = 3;

    private static async Task<bool> MatchesAsync(string path, Dictionary<string, string> refs, CancellationToken cancellationToken)
    {
        var local = await GitRefs.ReadAsync(path, cancellationToken);
        return refs.Where(r => r.Key != "HEAD").All(r => local.TryGetValue(r.Key, out var v) && v.ToString() == r.Value);
    }

    private async Task FetchOneAsync(SwarmFetcher fetcher, string userId, string name, string path, string? head,
        Dictionary<string, string> refs, CancellationToken cancellationToken)
    {
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
        }
        var local = await GitRefs.ReadAsync(path, cancellationToken);
        var haves = local.Values.Distinct().Take(PackBuilder.MaxHaves).ToList();
        // HEAD's branch first, as git-remote-gittorrent asks: the same request, so the seeder's cached pack serves both.
        var targets = refs.OrderBy(r => r.Key == head ? 0 : r.Key.StartsWith("refs/heads/", StringComparison.Ordinal) ? 1 : 2)
            .Select(r => r.Value).Where(v => Hash20.TryParse(v, out _)).Select(Hash20.Parse).Distinct().ToList();
        for (var i = 0; i < targets.Count; i++)
        {
            var commit = targets[i];
            if (await GitRefs.HasCommitAsync(path, commit, cancellationToken))
            {
                continue;
            }
            activity.SetFetch(userId, name, new RepositoryFetchProgress("finding peers", 0, null));
            var progress = new Progress<DownloadProgress>(p =>
                activity.SetFetch(userId, name, new RepositoryFetchProgress(p.HasMetadata ? "receiving pack" : "getting metadata",
                    p.VerifiedBytes, p.HasMetadata ? p.TotalBytes : null)));
            // The other tips ride along as more wants: one pack for the whole repository from a seeder that takes them.
            var options = new SwarmFetchOptions([]) { MoreWants = [.. targets.Skip(i + 1).Take(GitTorrentMessage.MaxWants)] };
            var result = await fetcher.FetchAsync(commit, haves, path, progress, options, cancellationToken);
            if (!result.Success)
            {
                var reason = result.Failures.FirstOrDefault() ?? "no peer has it";
                activity.SetFetch(userId, name, new RepositoryFetchProgress("waiting for a seeder: " + reason, 0, null));
                LogFetchFailed(logger, userId, name, commit.ToString(), reason);
                return;
            }
            haves.Insert(0, commit);
        }
        foreach (var (refName, target) in refs)
        {
            if (refName != "HEAD" && Engine.Profiles.UserProfile.IsValidRefName(refName))
            {
                await GitRunner.RunAsync(path, ["update-ref", refName, target], cancellationToken);
            }
        }
        foreach (var stale in local.Keys.Where(r => r != "HEAD" && !refs.ContainsKey(r)))
        {
            await GitRunner.RunAsync(path, ["update-ref", "-d", stale], cancellationToken);
        }
        if (head is not null && refs.ContainsKey(head))
        {
            await GitRunner.RunAsync(path, ["symbolic-ref", "HEAD", head], cancellationToken);
        }
        if (!arrived)
        {
            Directory.Move(path, final);
            path = final;
        }
        activity.SetFetch(userId, name, null);
        browser.Invalidate(path);
        LogFetched(logger, userId, name);
        var current = await GitRefs.ReadAsync(path, cancellationToken);
        await notifications.PublishRepositoryUpdatedAsync(
            new RepositoryUpdated(userId, name, path, current.ToDictionary(r => r.Key, r => r.Value.ToString())), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filled mirror {Repository} from its origin: no replica served it over the swarm")]
    private static partial void LogFromOrigin(ILogger logger, string repository);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Swarm fetching off: the node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not fetch {UserId}/{Repository} ({Commit}) yet: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string userId, string repository, string commit, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {UserId}/{Repository} from the swarm")]
    private static partial void LogFetched(ILogger logger, string userId, string repository);
}
