using System.Net;
using LibGit2Sharp;

namespace GitTorrent.Web.Git;

public sealed partial class GitBrowser
{
    /// <summary>Stands for the directory itself among its entries' names (no entry is named so) in the walk.</summary>
    private const string DirectoryItself = "";

    /// <summary>The last-commit column of a directory if it is already known (no work), else null.</summary>
    public LastCommits? CachedLastCommits(string path, string commitId, string directory) =>
        cache.TryGet(("last", path, commitId, directory), out LastCommits? known) ? known : null;

    /// <summary>
    /// The last-commit column of a directory at a commit: for each entry, the commit <c>git log -1 -- entry</c> names,
    /// and for the directory the one <c>git log -1 -- directory</c> names, both with git's default history
    /// simplification (see <see cref="ComputeLastCommits"/>). Runs through <see cref="GitWorkGate"/> (bounded, timed);
    /// a walk its timeout stopped or the gate refused is not cached (the next request walks again).
    /// </summary>
    public Task<LastCommits> LastCommitsAsync(string path, string commitId, string directory, IPAddress? client, CancellationToken cancellationToken) =>
        CachedLastCommits(path, commitId, directory) is { } known
            ? Task.FromResult(known)
            : gate.RunAsync(("last", path, commitId, directory), client, token => Task.FromResult(ComputeLastCommits(path, commitId, directory, token)),
                stop => new LastCommits(new Dictionary<string, CommitSummary>(), null, stop), cancellationToken);

    /// <summary>
    /// git's answer for <c>git log -1 &lt;commit&gt; -- &lt;path&gt;</c>, for every entry of the directory at once. git walks
    /// from the commit and shows the first commit that is not TREESAME (its path differs from every parent's; a root
    /// commit where the path exists); at a commit that is TREESAME to a parent it follows only the first such parent
    /// (for a merge, the side branches are never looked at). So each entry's answer lies at the end of a chain of
    /// commits; the chains of all entries are walked together, grouped by the commit they have reached, newest first,
    /// until each has ended or <see cref="BrowseOptions.GitCommandTimeout"/> passes. Same means same mode and object id.
    /// <para>
    /// While the first parent has the same directory tree, every entry's chain goes to it, so the column is the same as
    /// at the first commit down that line that changed the directory against its first parent: the column is cached
    /// under that commit too, and new commits elsewhere in the repository reuse it after a short walk.
    /// </para>
    /// </summary>
    private LastCommits ComputeLastCommits(string path, string commitId, string directory, CancellationToken cancellationToken)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var anchor = repository.Lookup<Commit>(commitId);
        var startTree = anchor is null ? null : DirectoryTreeId(anchor, directory);
        if (anchor is null || startTree is null)
        {
            return Remember(new LastCommits(new Dictionary<string, CommitSummary>(), null, GitWorkStop.None));
        }

        while (anchor.Parents.FirstOrDefault() is { } first && DirectoryTreeId(first, directory) == startTree)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Remember(new LastCommits(new Dictionary<string, CommitSummary>(), null, GitWorkStop.TimedOut));
            }

            anchor = first;
        }

        var anchorKey = ("last-at", path, anchor.Sha, directory);
        if (cache.TryGet(anchorKey, out LastCommits? shared))
        {
            return Remember(shared!);
        }

        var result = WalkChains(repository, anchor, directory, repository.Lookup<Tree>(startTree).Select(e => e.Name), cancellationToken);
        if (result.Stop == GitWorkStop.None)
        {
            cache.Set(anchorKey, result, LastCommitsBytes(result));
        }

        return Remember(result);

        LastCommits Remember(LastCommits value) =>
            cache.SetFinished(("last", path, commitId, directory), value, value.Stop, LastCommitsBytes(value));
    }

    private static LastCommits WalkChains(IRepository repository, Commit start, string directory, IEnumerable<string> entryNames,
        CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, CommitSummary>(StringComparer.Ordinal);
        var summaries = new Dictionary<ObjectId, CommitSummary>();
        var waiting = new Dictionary<ObjectId, List<string>> { [start.Id] = [DirectoryItself, .. entryNames] };
        var queue = new PriorityQueue<Commit, (long Newest, long Order)>();
        long order = 0;
        queue.Enqueue(start, (-start.Committer.When.ToUnixTimeSeconds(), order++));
        while (queue.TryDequeue(out var commit, out _))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Result(GitWorkStop.TimedOut);
            }

            if (!waiting.Remove(commit.Id, out var names))
            {
                continue;
            }

            var tree = repository.Lookup<Tree>(DirectoryTreeId(commit, directory)!);
            var parents = commit.Parents.ToList();
            var parentTrees = parents.Select(p => DirectoryTreeId(p, directory)).ToList();
            var parentTreeObjects = new Tree?[parents.Count];
            foreach (var name in names)
            {
                var next = FirstSameParent(name);
                if (next is null)
                {
                    if (!summaries.TryGetValue(commit.Id, out var summary))
                    {
                        summaries[commit.Id] = summary = Summarize(commit);
                    }

                    found[name] = summary;
                }
                else if (waiting.TryGetValue(next.Id, out var there))
                {
                    there.Add(name);
                }
                else
                {
                    waiting[next.Id] = [name];
                    queue.Enqueue(next, (-next.Committer.When.ToUnixTimeSeconds(), order++));
                }
            }

            Commit? FirstSameParent(string name)
            {
                var entry = name == DirectoryItself ? null : tree[name];
                for (var i = 0; i < parents.Count; i++)
                {
                    if (parentTrees[i] == tree.Id)
                    {
                        return parents[i];
                    }

                    if (entry is null || parentTrees[i] is not { } parentTree)
                    {
                        continue;
                    }

                    var other = (parentTreeObjects[i] ??= repository.Lookup<Tree>(parentTree))[name];
                    if (other is not null && other.Mode == entry.Mode && other.Target.Id == entry.Target.Id)
                    {
                        return parents[i];
                    }
                }

                return null;
            }
        }

        return Result(GitWorkStop.None);

        LastCommits Result(GitWorkStop stop)
        {
            found.Remove(DirectoryItself, out var latest);
            return new LastCommits(found, latest, stop);
        }
    }

    private static ObjectId? DirectoryTreeId(Commit commit, string directory) =>
        directory.Length == 0 ? commit.Tree.Id : commit.Tree[directory] is { TargetType: TreeEntryTargetType.Tree } entry ? entry.Target.Id : null;

    private static long LastCommitsBytes(LastCommits value) =>
        BrowseCache.ObjectBytes + value.ByName.Sum(p => BrowseCache.StringBytes(p.Key) + SummaryBytes(p.Value));
}
