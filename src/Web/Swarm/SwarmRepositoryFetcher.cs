using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Swarm;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Indexer.Swarm;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Swarm;

/// <summary>
/// Brings the repositories the indexer found (users' profiles) into the store from the swarm, so they can be browsed
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
    UserQuota quota,
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

    private async Task FetchRoundAsync(SwarmFetcher fetcher, CancellationToken cancellationToken)
    {
        List<(string UserId, string Name, string? Head, Dictionary<string, string> Refs)> wanted;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var rows = await db.Repositories.AsNoTracking().Include(r => r.Refs)
                .Where(r => r.UserId != identity.UserId)
                .OrderByDescending(r => r.LastUpdated).Take(500).ToListAsync(cancellationToken);
            wanted = [.. rows.Select(r => (r.UserId, r.Name, r.Head, r.Refs.ToDictionary(f => f.Name, f => f.Target, StringComparer.Ordinal)))];
        }
        foreach (var (userId, name, head, refs) in wanted)
        {
            if (store.PathOf(userId, name) is not { } path || refs.Count == 0)
            {
                continue;
            }
            if (RepositoryScanner.IsGitDirectory(path) && await MatchesAsync(path, refs, cancellationToken))
            {
                continue;
            }
            await FetchOneAsync(fetcher, userId, name, path, head, refs, cancellationToken);
        }
    }

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
            var options = new SwarmFetchOptions([]) { MoreWants = [.. targets.Skip(i + 1).Take(GitTorrentMessage.MaxWants)], ReservePackSpace = bytes => quota.TryReserve(userId, bytes) };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Swarm fetching off: the node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not fetch {UserId}/{Repository} ({Commit}) yet: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string userId, string repository, string commit, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {UserId}/{Repository} from the swarm")]
    private static partial void LogFetched(ILogger logger, string userId, string repository);
}
