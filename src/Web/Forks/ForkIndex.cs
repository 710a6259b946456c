using System.Collections.Concurrent;
using GitTorrent.Engine;
using GitTorrent.Web.Git;
using GitTorrent.Web.Node;
using LibGit2Sharp;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace GitTorrent.Web.Forks;

/// <summary>
/// Which repositories of the store are forks of each other (docs/PROTOCOL.md section 6: the root commits of their default
/// branches intersect). Each repository's roots are kept in memory by tip and updated incrementally when the tip moves
/// forward; the store is rescanned every <see cref="ForkOptions.ScanInterval"/>, and a repository a sync or fetch
/// changed is updated at once. Also answers the cross-repository questions of forks: merge base and how far ahead.
/// </summary>
public sealed partial class ForkIndex(
    RepositoryStore store,
    GitRepositoryPool pool,
    GitBrowser browser,
    CompareWorkspaces workspaces,
    IOptions<ForkOptions> options,
    ILogger<ForkIndex> logger) : BackgroundService, IRepositoryUpdatedHandler
{
    private readonly ConcurrentDictionary<string, StoreRepositoryRoots> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Version, IReadOnlyList<ForkInfo> Forks)> _forks = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The other repositories of the store sharing a default-branch root with this one.</summary>
    public Task<IReadOnlyList<ForkInfo>> ForksAsync(string ownerId, string name, CancellationToken cancellationToken)
    {
        if (store.PathOf(ownerId, name) is not { } path || !store.Exists(ownerId, name))
        {
            return Task.FromResult<IReadOnlyList<ForkInfo>>([]);
        }
        var mine = Refresh(ownerId, name, path);
        var version = Interlocked.Read(ref _version);
        if (_forks.TryGetValue(path, out var known) && known.Version == version)
        {
            return Task.FromResult(known.Forks);
        }
        IReadOnlyList<ForkInfo> forks = mine.Roots.Count == 0 ? [] : [.. _repositories.Values
            .Where(r => r.Path != mine.Path && r.Roots.Overlaps(mine.Roots))
            .OrderBy(r => r.OwnerId, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new ForkInfo(r.OwnerId, r.Name, r.Path, r.DefaultBranch, r.Branches))];
        _forks[path] = (version, forks);
        return Task.FromResult(forks);
    }

    /// <summary>The merge base of two commits that may live in different repositories of the store, or null.</summary>
    public Task<string?> MergeBaseAsync(string firstPath, string first, string secondPath, string second, CancellationToken cancellationToken)
    {
        using var lease = pool.Rent(workspaces.PathFor(firstPath, secondPath));
        var repository = lease.Repository;
        string? mergeBase = repository.Lookup<Commit>(first) is { } a && repository.Lookup<Commit>(second) is { } b
            ? repository.ObjectDatabase.FindMergeBase(a, b)?.Sha
            : null;
        return Task.FromResult(mergeBase);
    }

    /// <summary>A repository path where the objects of both repositories are readable.</summary>
    public string PathWithBoth(string firstPath, string secondPath) => workspaces.PathFor(firstPath, secondPath);

    /// <summary>How many commits <paramref name="theirs"/> has that <paramref name="ours"/> lacks (null when unknown).</summary>
    public int? AheadBy(string ourPath, string ours, string theirPath, string theirs)
    {
        using var lease = pool.Rent(workspaces.PathFor(ourPath, theirPath));
        var repository = lease.Repository;
        return repository.Lookup<Commit>(ours) is { } a && repository.Lookup<Commit>(theirs) is { } b
            ? repository.ObjectDatabase.CalculateHistoryDivergence(b, a).AheadBy
            : null;
    }

    public Task OnRepositoryUpdatedAsync(RepositoryUpdated update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        browser.Invalidate(update.Path);
        Refresh(update.UserId, update.Name, update.Path);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Scan(stoppingToken);
            }
            catch (Exception e) when (e is IOException or LibGit2SharpException or UnauthorizedAccessException)
            {
                LogScanFailed(logger, e.Message);
            }
            await Task.Delay(options.Value.ScanInterval, stoppingToken);
        }
    }

    private void Scan(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(store.Root))
        {
            foreach (var owner in Directory.EnumerateDirectories(store.Root).Select(Path.GetFileName).Where(o => Hash20.IsLowerHex40(o)))
            {
                foreach (var repository in store.Served(owner!))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (seen.Count >= options.Value.MaxRepositories)
                    {
                        LogTooMany(logger, options.Value.MaxRepositories);
                        break;
                    }
                    seen.Add(Refresh(owner!, repository.Name, repository.Path).Path);
                }
            }
        }
        foreach (var gone in _repositories.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _repositories.TryRemove(gone, out _);
            _forks.TryRemove(gone, out _);
            Interlocked.Increment(ref _version);
        }
    }

    private StoreRepositoryRoots Refresh(string ownerId, string name, string path)
    {
        var defaultBranch = browser.DefaultBranch(path);
        var branches = browser.Refs(path).Where(r => !r.IsTag).Select(r => new ForkBranch(r.ShortName, r.CommitId)).ToList();
        var tip = branches.FirstOrDefault(b => b.ShortName == defaultBranch)?.CommitId;
        _repositories.TryGetValue(path, out var known);
        var roots = known is not null && known.Tip == tip ? known.Roots : Roots(path, tip, known);
        if (known is not null && known.Tip == tip && known.DefaultBranch == defaultBranch && known.Branches.SequenceEqual(branches))
        {
            return known;
        }
        var entry = new StoreRepositoryRoots(ownerId, name, path, defaultBranch, tip, roots, branches);
        _repositories[path] = entry;
        Interlocked.Increment(ref _version);
        return entry;
    }

    /// <summary>Root commits reachable from <paramref name="tip"/>; from the last known tip onwards when it is an ancestor.</summary>
    private IReadOnlySet<Hash20> Roots(string path, string? tip, StoreRepositoryRoots? known)
    {
        if (tip is null)
        {
            return new HashSet<Hash20>();
        }
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        if (repository.Lookup<Commit>(tip) is not { } start)
        {
            return new HashSet<Hash20>();
        }
        var roots = new HashSet<Hash20>();
        var filter = new CommitFilter { IncludeReachableFrom = start };
        if (known?.Tip is { } previous && repository.Lookup<Commit>(previous) is { } old
            && repository.ObjectDatabase.FindMergeBase(old, start)?.Sha == previous)
        {
            roots.UnionWith(known.Roots);
            filter.ExcludeReachableFrom = old;
        }
        var walked = 0;
        foreach (var commit in repository.Commits.QueryBy(filter))
        {
            if (++walked > options.Value.MaxRootWalkCommits)
            {
                LogWalkCut(logger, path, options.Value.MaxRootWalkCommits);
                break;
            }
            if (!commit.Parents.Any())
            {
                roots.Add(Hash20.Parse(commit.Sha));
            }
        }
        return roots;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fork scan failed: {Reason}")]
    private static partial void LogScanFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fork index holds at most {Limit} repositories (GitTorrent:Forks:MaxRepositories); the rest are not matched")]
    private static partial void LogTooMany(ILogger logger, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roots of {Repository} searched in the first {Limit} commits only (GitTorrent:Forks:MaxRootWalkCommits)")]
    private static partial void LogWalkCut(ILogger logger, string repository, int limit);
}
