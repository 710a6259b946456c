using LibGit2Sharp;

namespace GitTorrent.Web.Git;

public sealed partial class GitBrowser
{
    /// <summary>The last-commit column of a directory if it is already known (no work), else null.</summary>
    public LastCommits? CachedLastCommits(string path, string commitId, string directory) =>
        cache.TryGet(("last", path, commitId, directory), out LastCommits? known) ? known : null;

    /// <summary>
    /// The last-commit column of a directory at a commit. Walks history newest first until every entry is found (or
    /// <see cref="BrowseOptions.GitCommandTimeout"/> passes): a commit changed an entry when the entry differs from
    /// every parent's. Cached by (commit, directory) and by (the directory's tree id, the last commit that changed
    /// it), so new commits elsewhere in the repository reuse the column.
    /// </summary>
    public Task<LastCommits> LastCommitsAsync(string path, string commitId, string directory, CancellationToken cancellationToken) =>
        CachedLastCommits(path, commitId, directory) is { } known
            ? Task.FromResult(known)
            : gate.RunAsync(("last", path, commitId, directory), token => Task.FromResult(ComputeLastCommits(path, commitId, directory, token)), cancellationToken);

    private LastCommits ComputeLastCommits(string path, string commitId, string directory, CancellationToken cancellationToken)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var start = repository.Lookup<Commit>(commitId);
        var startTree = start is null ? null : DirectoryTreeId(start, directory);
        if (startTree is null)
        {
            return new LastCommits(new Dictionary<string, CommitSummary>(), null, true);
        }

        var remaining = repository.Lookup<Tree>(startTree).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, CommitSummary>(StringComparer.Ordinal);
        CommitSummary? latest = null;
        var complete = true;
        foreach (var commit in repository.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = start, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time }))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                complete = false;
                break;
            }

            if (DirectoryTreeId(commit, directory) is not { } current)
            {
                continue;
            }

            var parentTrees = commit.Parents.Select(p => DirectoryTreeId(p, directory)).ToList();
            if (parentTrees.Contains(current))
            {
                continue; // nothing in the directory changed here
            }

            if (latest is null)
            {
                latest = Summarize(commit);
                if (cache.TryGet(("last-by-tree", path, current.Sha, commit.Sha), out LastCommits? shared))
                {
                    return Remember(shared!);
                }
            }

            var tree = repository.Lookup<Tree>(current);
            var parents = parentTrees.Select(id => id is null ? null : repository.Lookup<Tree>(id)).ToList();
            foreach (var name in remaining.ToList())
            {
                if (tree[name]?.Target.Id is not { } id)
                {
                    continue;
                }

                if (parents.All(parent => parent?[name]?.Target.Id != id))
                {
                    found[name] = Summarize(commit);
                    remaining.Remove(name);
                }
            }

            if (remaining.Count == 0)
            {
                break;
            }
        }

        var result = new LastCommits(found, latest, complete);
        if (latest is not null && complete)
        {
            cache.Set(("last-by-tree", path, startTree.Sha, latest.Id), result, LastCommitsBytes(result));
        }

        return Remember(result);

        LastCommits Remember(LastCommits value) => cache.Set(("last", path, commitId, directory), value, LastCommitsBytes(value));
    }

    private static ObjectId? DirectoryTreeId(Commit commit, string directory) =>
        directory.Length == 0 ? commit.Tree.Id : commit.Tree[directory] is { TargetType: TreeEntryTargetType.Tree } entry ? entry.Target.Id : null;

    private static long LastCommitsBytes(LastCommits value) =>
        BrowseCache.ObjectBytes + value.ByName.Sum(p => BrowseCache.StringBytes(p.Key) + SummaryBytes(p.Value));
}
