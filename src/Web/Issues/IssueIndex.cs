using System.Collections.Concurrent;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;
using GitTorrent.Web.Git;
using LibGit2Sharp;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace GitTorrent.Web.Issues;

/// <summary>
/// Issues of the store's repositories, read with LibGit2Sharp and kept in memory without a database table. A list is
/// cached by the id of its <c>.issues</c> tree, and below that each folder's summary by its own tree id (an unchanged
/// issue keeps its tree id across commits), so indexing a commit that touched one issue parses one folder. Indexing is
/// bounded in concurrency, issues per list and memory (<see cref="IssuePageOptions"/>, <see cref="IssueLimits"/>).
/// </summary>
public sealed partial class IssueIndex(
    GitRepositoryPool pool,
    IOptions<IssueLimits> limits,
    IOptions<IssuePageOptions> options,
    ILogger<IssueIndex> logger) : IDisposable
{
    private readonly IssueSummaryMemoryCache _summaries = new(options.Value.MaxCachedSummaries);
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.MaxCachedListedIssues });
    private readonly ConcurrentDictionary<Hash20, Lazy<Task<IssueSnapshot>>> _indexing = new();
    private readonly SemaphoreSlim _indexers = new(options.Value.MaxConcurrentIndexing);

    /// <summary>The list indexed last for each repository: the next commit is indexed from it by a tree diff.</summary>
    private readonly ConcurrentDictionary<string, (Hash20 Tree, IReadOnlyList<GitTreeEntry> Entries, IssueSnapshot Snapshot)> _latest =
        new(StringComparer.Ordinal);

    /// <summary>An object reader per repository (its pack indexes stay loaded); at most this many are kept.</summary>
    private const int MaxOpenRepositories = 256;
    private readonly ConcurrentDictionary<string, ObjectReaderIssueSource> _sources = new(StringComparer.Ordinal);

    /// <summary>A diff touching more folders than this rebuilds the list instead.</summary>
    private const int MaxIncrementalFolders = 1000;

    /// <summary>The id of the <c>.issues</c> tree of a commit, or null when it has none (or the commit is unknown).</summary>
    public Hash20? IssuesTreeOf(string repositoryPath, string commitId)
    {
        if (!Hash20.TryParse(commitId, out var commit))
        {
            return null;
        }
        if (_cache.TryGetValue(("issues-tree", commit), out Hash20? cached))
        {
            return cached;
        }
        var found = Source(repositoryPath).IssuesTreeIdOf(commit);
        if (found is { } known)
        {
            // A commit's trees never change: remembered by commit id alone.
            _cache.Set(("issues-tree", commit), known.Id, new MemoryCacheEntryOptions { Size = 1 });
        }
        return found?.Id;
    }

    /// <summary>The issues of a commit of a repository in the store.</summary>
    public async Task<IssueSnapshot> SnapshotAsync(string repositoryPath, string commitId, CancellationToken cancellationToken)
    {
        if (IssuesTreeOf(repositoryPath, commitId) is not { } tree)
        {
            return IssueSnapshot.Empty;
        }
        if (_cache.TryGetValue(("snapshot", tree), out IssueSnapshot? cached))
        {
            return cached!;
        }
        var build = _indexing.GetOrAdd(tree, t => new Lazy<Task<IssueSnapshot>>(() => IndexAsync(repositoryPath, t)));
        try
        {
            return await build.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (build.Value.IsCompleted)
            {
                _indexing.TryRemove(new KeyValuePair<Hash20, Lazy<Task<IssueSnapshot>>>(tree, build));
            }
        }
    }

    /// <summary>
    /// One issue read whole from its folder (by tree id: the same folder in a fork or branch is read once), or null when
    /// the folder is not a tree of this repository.
    /// </summary>
    public async Task<IssueDetail?> DetailAsync(string repositoryPath, string id, Hash20 folder, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(("detail", id, folder), out IssueDetail? cached))
        {
            return cached;
        }
        var source = Source(repositoryPath);
        if (source.ReadTree(folder) is null)
        {
            return null;
        }
        var detail = await new IssueReader(source, limits.Value).ReadAsync(id, folder, cancellationToken);
        var size = 1 + ((detail.Document?.Body.Length ?? 0) + detail.Comments.Sum(c => c.Body.Length)) / 64;
        _cache.Set(("detail", id, folder), detail, new MemoryCacheEntryOptions { Size = size });
        return detail;
    }

    /// <summary>The commits reachable from <paramref name="commitId"/> that changed <c>.issues/&lt;id&gt;</c>, newest first, bounded.</summary>
    public IssueHistory History(string repositoryPath, string commitId, string id)
    {
        if (_cache.TryGetValue(("history", commitId, id), out IssueHistory? cached))
        {
            return cached!;
        }
        var path = IssuePaths.Folder(id);
        var commits = new List<CommitSummary>();
        var walked = 0;
        using (var lease = pool.Rent(repositoryPath))
        {
            var repository = lease.Repository;
            if (repository.Lookup<Commit>(commitId) is not { } start)
            {
                return new IssueHistory([], false);
            }
            var walk = repository.Commits.QueryBy(new CommitFilter
            {
                IncludeReachableFrom = start,
                SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
            });
            foreach (var commit in walk)
            {
                if (++walked > options.Value.MaxHistoryCommits || commits.Count >= options.Value.MaxHistoryShown)
                {
                    break;
                }
                if (Touches(commit, path))
                {
                    commits.Add(new CommitSummary(commit.Sha, commit.MessageShort, commit.Author.Name, commit.Author.Email, commit.Author.When));
                }
            }
        }
        var history = new IssueHistory(commits, walked > options.Value.MaxHistoryCommits);
        _cache.Set(("history", commitId, id), history, new MemoryCacheEntryOptions { Size = 1 + commits.Count });
        return history;
    }

    public void Dispose()
    {
        _summaries.Dispose();
        _cache.Dispose();
        _indexers.Dispose();
    }

    private async Task<IssueSnapshot> IndexAsync(string repositoryPath, Hash20 tree)
    {
        await _indexers.WaitAsync();
        try
        {
            var source = Source(repositoryPath);
            var entries = source.ReadTree(tree) ?? [];
            if (_latest.TryGetValue(repositoryPath, out var previous)
                && await UpdateAsync(source, previous.Entries, previous.Snapshot, entries) is { } updated)
            {
                Remember(repositoryPath, tree, entries, updated);
                return updated;
            }
            var folders = entries.Where(e => e.Kind == GitTreeEntryKind.Tree && IssueId.IsValid(e.Name))
                .Take(limits.Value.MaxIssues).ToDictionary(e => e.Name, e => e.Id, StringComparer.Ordinal);
            var listing = await new IssueReader(source, limits.Value).ListAsync(entries, _summaries, CancellationToken.None);
            if (listing.Truncated)
            {
                LogTruncated(logger, repositoryPath, tree.ToString(), limits.Value.MaxIssues);
            }
            if (listing.Unreadable.Count > 0)
            {
                LogUnreadable(logger, repositoryPath, listing.Unreadable.Count, listing.Unreadable[0].Path, listing.Unreadable[0].Reason);
            }
            var snapshot = new IssueSnapshot(listing, folders);
            Remember(repositoryPath, tree, entries, snapshot);
            return snapshot;
        }
        finally
        {
            _indexers.Release();
        }
    }

    private void Remember(string repositoryPath, Hash20 tree, IReadOnlyList<GitTreeEntry> entries, IssueSnapshot snapshot)
    {
        _cache.Set(("snapshot", tree), snapshot, new MemoryCacheEntryOptions { Size = 1 + snapshot.Folders.Count });
        if (_latest.Count > MaxOpenRepositories)
        {
            _latest.Clear();
        }
        _latest[repositoryPath] = (tree, entries, snapshot);
    }

    private ObjectReaderIssueSource Source(string repositoryPath)
    {
        if (_sources.TryGetValue(repositoryPath, out var source))
        {
            return source;
        }
        if (_sources.Count >= MaxOpenRepositories)
        {
            // Dropped readers close their files when collected; one in use by another request keeps working.
            _sources.Clear();
        }
        return _sources.GetOrAdd(repositoryPath, p => new ObjectReaderIssueSource(GitObjectReader.Open(p)));
    }

    /// <summary>
    /// The list of an <c>.issues</c> tree from the list of the repository's previous one: entries whose tree id is
    /// unchanged keep their summaries; only folders added, removed or changed are read. Null when that is not possible
    /// or not worth it (the full index is built instead).
    /// </summary>
    private async Task<IssueSnapshot?> UpdateAsync(ObjectReaderIssueSource source, IReadOnlyList<GitTreeEntry> before, IssueSnapshot previous,
        IReadOnlyList<GitTreeEntry> after)
    {
        if (previous.Truncated || after.Count > limits.Value.MaxIssues)
        {
            return null;
        }
        var old = new Dictionary<string, GitTreeEntry>(before.Count, StringComparer.Ordinal);
        foreach (var entry in before)
        {
            old[entry.Name] = entry;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var changed = new List<GitTreeEntry>();
        foreach (var entry in after)
        {
            if (old.Remove(entry.Name, out var was) && was == entry)
            {
                continue;
            }
            names.Add(entry.Name);
            changed.Add(entry);
            if (names.Count > MaxIncrementalFolders)
            {
                return null;
            }
        }
        names.UnionWith(old.Keys); // removed
        var folders = new Dictionary<string, Hash20>(previous.Folders, StringComparer.Ordinal);
        foreach (var name in names)
        {
            folders.Remove(name);
        }
        foreach (var entry in changed.Where(e => e.Kind == GitTreeEntryKind.Tree && IssueId.IsValid(e.Name)))
        {
            folders[entry.Name] = entry.Id;
        }
        var read = await new IssueReader(source, limits.Value).ListAsync(changed, _summaries, CancellationToken.None);
        var issues = previous.All.Where(i => !names.Contains(i.Id)).Concat(read.Issues).ToList();
        issues.Sort(IssueSummary.NewestFirst);
        var unreadable = previous.Unreadable.Where(u => !names.Contains(u.Path.Split('/')[1])).Concat(read.Unreadable).ToList();
        unreadable.Sort((x, y) => string.CompareOrdinal(x.Path, y.Path));
        return new IssueSnapshot(new IssueListing(issues, unreadable, false), folders);
    }

    /// <summary>True when the commit's folder differs from every parent's (a merge that took one side's folder did not touch it).</summary>
    private static bool Touches(Commit commit, string path)
    {
        var here = commit.Tree[path]?.Target.Sha;
        var parents = commit.Parents.ToList();
        if (parents.Count == 0)
        {
            return here is not null;
        }
        var issuesHere = commit.Tree[IssuePaths.Root]?.Target.Sha;
        foreach (var parent in parents)
        {
            if (parent.Tree[IssuePaths.Root]?.Target.Sha == issuesHere || parent.Tree[path]?.Target.Sha == here)
            {
                return false;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Issues of {Repository} (tree {Tree}) cut at {Limit} folders (GitTorrent:Issues:MaxIssues)")]
    private static partial void LogTruncated(ILogger logger, string repository, string tree, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Repository} has {Count} unreadable issue files, e.g. {Path}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string repository, int count, string path, string reason);
}
