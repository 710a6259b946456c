using System.Text;
using GitTorrent.Web.Rendering;
using LibGit2Sharp;
using Microsoft.Extensions.Caching.Memory;

namespace GitTorrent.Web.Git;

/// <summary>
/// Reads trees, blobs and commits of the store's bare repositories with LibGit2Sharp. Listings and rendered files
/// are cached by object id (immutable), so hot pages cost one ref lookup and a dictionary hit.
/// </summary>
public sealed class GitBrowser(GitRepositoryPool pool, SyntaxHighlighter highlighter) : IDisposable
{
    /// <summary>Files larger than this are not rendered (download raw instead).</summary>
    public const long MaxRenderBytes = 1024 * 1024;

    /// <summary>Lines of diff shown per file and per commit.</summary>
    public const int MaxDiffLinesPerFile = 3000;
    public const int MaxDiffLinesPerCommit = 20000;
    public const int MaxDiffFiles = 300;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 256L * 1024 * 1024 });

    /// <summary>How long a repository's ref list is reused; syncs call <see cref="Invalidate"/> at once.</summary>
    public static readonly TimeSpan RefsCacheTime = TimeSpan.FromSeconds(2);

    /// <summary>Forgets cached refs of a repository (after a sync or fetch changed them).</summary>
    public void Invalidate(string path)
    {
        cache.Remove(("refs", path));
        cache.Remove(("default", path));
    }

    public IReadOnlyList<GitRefView> Refs(string path)
    {
        if (cache.TryGetValue(("refs", path), out IReadOnlyList<GitRefView>? cached))
        {
            return cached!;
        }

        var list = ReadRefs(path);
        cache.Set(("refs", path), list, new MemoryCacheEntryOptions { Size = 256 + (list.Count * 200), AbsoluteExpirationRelativeToNow = RefsCacheTime });
        return list;
    }

    private List<GitRefView> ReadRefs(string path)
    {
        using var lease = pool.Rent(path);
        var list = new List<GitRefView>();
        foreach (var reference in lease.Repository.Refs)
        {
            var isBranch = reference.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal);
            var isTag = reference.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal);
            if ((!isBranch && !isTag) || reference.ResolveToDirectReference()?.Target is not { } target)
            {
                continue;
            }

            Commit? commit;
            try
            {
                commit = target.Peel<Commit>();
            }
            catch (LibGit2SharpException)
            {
                continue; // a tag of a tree or blob
            }

            if (commit is null)
            {
                continue;
            }

            list.Add(new GitRefView(reference.CanonicalName[(isTag ? 10 : 11)..], reference.CanonicalName, commit.Sha, isTag));
        }

        return list;
    }

    /// <summary>The branch HEAD names (short form), or the first branch when HEAD is unborn; null for an empty repository.</summary>
    public string? DefaultBranch(string path)
    {
        if (cache.TryGetValue(("default", path), out string? cached))
        {
            return cached;
        }

        string? branch;
        using (var lease = pool.Rent(path))
        {
            var head = lease.Repository.Refs.Head;
            branch = head is SymbolicReference { Target: { } target } && target.CanonicalName.StartsWith("refs/heads/", StringComparison.Ordinal)
                ? target.CanonicalName[11..]
                : null;
        }

        // HEAD unborn or detached: main, then master, then the first branch.
        var branches = Refs(path).Where(r => !r.IsTag).Select(r => r.ShortName).ToList();
        branch ??= branches.Contains("main") ? "main" : branches.Contains("master") ? "master" : branches.Order(StringComparer.Ordinal).FirstOrDefault();
        cache.Set(("default", path), branch, new MemoryCacheEntryOptions { Size = 64, AbsoluteExpirationRelativeToNow = RefsCacheTime });
        return branch;
    }

    /// <summary>
    /// Resolves a ref named by URL segments: the longest prefix that is a branch, then a tag, else a full commit id.
    /// </summary>
    public ResolvedRef? Resolve(string path, IReadOnlyList<string> segments)
    {
        if (segments.Count == 0)
        {
            return null;
        }

        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        for (var take = segments.Count; take >= 1; take--)
        {
            var name = string.Join('/', segments.Take(take));
            foreach (var prefix in (string[])["refs/heads/", "refs/tags/"])
            {
                if (TryPeel(repository, prefix + name) is { } commitId)
                {
                    return new ResolvedRef(name, commitId, [.. segments.Skip(take)]);
                }
            }
        }

        if (segments[0].Length == 40 && GitTorrent.Engine.Hash20.IsLowerHex40(segments[0])
            && repository.Lookup<Commit>(segments[0]) is { } commit)
        {
            return new ResolvedRef(commit.Sha, commit.Sha, [.. segments.Skip(1)]);
        }

        return null;
    }

    /// <summary>What a path in a commit is: a directory, a file, or nothing (null).</summary>
    public TreeEntryKind? KindOf(string path, string commitId, string filePath)
    {
        if (filePath.Length == 0)
        {
            return TreeEntryKind.Directory;
        }

        using var lease = pool.Rent(path);
        var entry = lease.Repository.Lookup<Commit>(commitId)?.Tree[filePath];
        return entry is null ? null : KindOf(entry);
    }

    /// <summary>The entries of a directory (directories first), or null when the path is not a directory.</summary>
    public IReadOnlyList<TreeEntryView>? ListTree(string path, string commitId, string directory)
    {
        var key = ("tree", path, commitId, directory);
        if (cache.TryGetValue(key, out IReadOnlyList<TreeEntryView>? cached))
        {
            return cached;
        }

        using var lease = pool.Rent(path);
        var commit = lease.Repository.Lookup<Commit>(commitId);
        if (commit is null)
        {
            return null;
        }

        Tree? tree = directory.Length == 0 ? commit.Tree : commit.Tree[directory]?.Target as Tree;
        if (tree is null)
        {
            return null;
        }

        var entries = tree
            .Select(e => new TreeEntryView(e.Name, e.Path.Replace('\\', '/'), KindOf(e), e.Target is Blob blob ? blob.Size : 0))
            .OrderBy(e => e.Kind == TreeEntryKind.Directory ? 0 : 1)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        cache.Set(key, (IReadOnlyList<TreeEntryView>)entries, new MemoryCacheEntryOptions { Size = 256 + (entries.Count * 128) });
        return entries;
    }

    /// <summary>A file at a commit, rendered with line numbers and highlighting unless binary or too large.</summary>
    public BlobView? ReadBlob(string path, string commitId, string filePath)
    {
        string blobId;
        using (var lease = pool.Rent(path))
        {
            var entry = lease.Repository.Lookup<Commit>(commitId)?.Tree[filePath];
            if (entry?.Target is not Blob blob)
            {
                return null;
            }

            blobId = blob.Sha;
            var key = ("blob", blobId, Path.GetExtension(filePath));
            if (cache.TryGetValue(key, out BlobView? cached))
            {
                return cached! with { Path = filePath };
            }

            BlobView view;
            if (blob.Size > MaxRenderBytes)
            {
                view = new BlobView(filePath, blobId, blob.Size, false, true, null, 0);
            }
            else if (blob.IsBinary)
            {
                view = new BlobView(filePath, blobId, blob.Size, true, false, null, 0);
            }
            else
            {
                var text = blob.GetContentText(Encoding.UTF8);
                var (html, lines) = highlighter.Render(filePath, text);
                view = new BlobView(filePath, blobId, blob.Size, false, false, html, lines);
            }

            cache.Set(key, view, new MemoryCacheEntryOptions { Size = 256 + ((view.Html?.Length ?? 0) * 2) });
            return view;
        }
    }

    /// <summary>The raw text of a small blob (READMEs), or null if missing, binary or larger than <paramref name="maxBytes"/>.</summary>
    public (string BlobId, string Text)? ReadText(string path, string commitId, string filePath, long maxBytes)
    {
        using var lease = pool.Rent(path);
        if (lease.Repository.Lookup<Commit>(commitId)?.Tree[filePath]?.Target is not Blob blob || blob.Size > maxBytes || blob.IsBinary)
        {
            return null;
        }

        return (blob.Sha, blob.GetContentText(Encoding.UTF8));
    }

    /// <summary>Copies a blob to <paramref name="output"/>; returns false when the path is not a file.</summary>
    public async Task<bool> CopyBlobAsync(string path, string commitId, string filePath, Func<long, bool, Stream> openOutput, CancellationToken cancellationToken)
    {
        Stream content;
        long size;
        bool binary;
        using (var lease = pool.Rent(path))
        {
            if (lease.Repository.Lookup<Commit>(commitId)?.Tree[filePath]?.Target is not Blob blob)
            {
                return false;
            }

            size = blob.Size;
            binary = size > MaxRenderBytes || blob.IsBinary;
            content = blob.GetContentStream();
        }

        await using (content)
        {
            await content.CopyToAsync(openOutput(size, binary), cancellationToken);
        }

        return true;
    }

    public CommitPage Log(string path, string commitId, string? filePath, int skip, int take)
    {
        var key = ("log", path, commitId, skip, take);
        if (cache.TryGetValue(key, out CommitPage? cached))
        {
            return cached!;
        }

        var result = ReadLog(path, commitId, skip, take);
        cache.Set(key, result, new MemoryCacheEntryOptions { Size = 512 + (result.Commits.Count * 300) });
        return result;
    }

    private CommitPage ReadLog(string path, string commitId, int skip, int take)
    {
        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var start = repository.Lookup<Commit>(commitId);
        if (start is null)
        {
            return new CommitPage([], false);
        }

        var query = repository.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = start,
            // Topological keeps children before parents when commit times tie (scripts, rebases); it walks the
            // whole history once, which the page cache above absorbs.
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time,
        });
        var page = query.Skip(skip).Take(take + 1).Select(Summarize).ToList();
        var hasMore = page.Count > take;
        return new CommitPage(hasMore ? page[..take] : page, hasMore);
    }

    public CommitDetail? Commit(string path, string commitId)
    {
        var key = ("commit", path, commitId);
        if (cache.TryGetValue(key, out CommitDetail? cached))
        {
            return cached;
        }

        using var lease = pool.Rent(path);
        var repository = lease.Repository;
        var commit = repository.Lookup<Commit>(commitId);
        if (commit is null)
        {
            return null;
        }

        var parent = commit.Parents.FirstOrDefault();
        var patch = repository.Diff.Compare<Patch>(parent?.Tree, commit.Tree, new CompareOptions { ContextLines = 3 });
        var files = new List<FileDiff>();
        var budget = MaxDiffLinesPerCommit;
        var truncated = false;
        foreach (var change in patch)
        {
            if (files.Count >= MaxDiffFiles)
            {
                truncated = true;
                break;
            }

            var fileTruncated = budget <= 0;
            List<DiffLine> lines = [];
            if (!fileTruncated && !change.IsBinaryComparison)
            {
                lines = ParsePatch(change.Patch, Math.Min(budget, MaxDiffLinesPerFile), out fileTruncated);
            }

            budget -= lines.Count;
            files.Add(new FileDiff(change.Path, change.OldPath != change.Path ? change.OldPath : null, change.Status.ToString(),
                change.LinesAdded, change.LinesDeleted, change.IsBinaryComparison, lines, fileTruncated && !change.IsBinaryComparison));
            truncated |= fileTruncated;
        }

        var detail = new CommitDetail(Summarize(commit), commit.Message, [.. commit.Parents.Select(p => p.Sha)], files, truncated);
        cache.Set(key, detail, new MemoryCacheEntryOptions { Size = 1024 + (files.Sum(f => f.Lines.Count) * 100) });
        return detail;
    }

    public void Dispose() => cache.Dispose();

    private static List<DiffLine> ParsePatch(string patch, int limit, out bool truncated)
    {
        var lines = new List<DiffLine>();
        truncated = false;
        var inHunk = false;
        foreach (var line in patch.Split('\n'))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                inHunk = true;
                lines.Add(new DiffLine('@', line));
            }
            else if (inHunk && line.Length > 0 && line[0] is '+' or '-' or ' ')
            {
                lines.Add(new DiffLine(line[0], line[1..]));
            }
            else if (inHunk && line.StartsWith('\\'))
            {
                lines.Add(new DiffLine('\\', line));
            }

            if (lines.Count >= limit)
            {
                truncated = true;
                break;
            }
        }

        return lines;
    }

    private static string? TryPeel(LibGit2Sharp.Repository repository, string canonicalName)
    {
        try
        {
            return repository.Refs[canonicalName]?.ResolveToDirectReference()?.Target?.Peel<Commit>()?.Sha;
        }
        catch (LibGit2SharpException)
        {
            return null; // not a valid ref name
        }
    }

    private static TreeEntryKind KindOf(TreeEntry entry) => entry.TargetType switch
    {
        TreeEntryTargetType.Tree => TreeEntryKind.Directory,
        TreeEntryTargetType.GitLink => TreeEntryKind.Submodule,
        _ when entry.Mode == Mode.SymbolicLink => TreeEntryKind.Symlink,
        _ => TreeEntryKind.File,
    };

    private static CommitSummary Summarize(LibGit2Sharp.Commit commit) =>
        new(commit.Sha, commit.MessageShort, commit.Author.Name, commit.Author.Email, commit.Author.When);
}
