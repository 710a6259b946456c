using LibGit2Sharp;

namespace GitTorrent.Web.Git;

public sealed partial class GitBrowser
{
    /// <summary>
    /// A commit with its diff against the first parent, bounded before anything is built: the changed paths come
    /// from a tree comparison (no blob read), each side's size from its object header; a side larger than
    /// <see cref="BrowseOptions.MaxDiffBlobBytes"/> is listed as too large, and once
    /// <see cref="BrowseOptions.MaxDiffBytesPerCommit"/> bytes of content or the line budget are spent the remaining
    /// files are listed only.
    /// </summary>
    public CommitDetail? Commit(string path, string commitId)
    {
        var key = ("commit", path, commitId);
        if (cache.TryGet(key, out CommitDetail? cached))
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

        var files = DiffTrees(repository, commit.Parents.FirstOrDefault()?.Tree, commit.Tree, out var truncated);
        var detail = new CommitDetail(Summarize(commit), commit.Message, [.. commit.Parents.Select(p => p.Sha)], files, truncated);
        return cache.Set(key, detail, BrowseCache.ObjectBytes + SummaryBytes(detail.Summary) + BrowseCache.StringBytes(detail.Message)
            + files.Sum(f => BrowseCache.ObjectBytes * 2 + BrowseCache.StringBytes(f.Path) + f.Lines.Sum(l => BrowseCache.ObjectBytes + BrowseCache.StringBytes(l.Text))));
    }

    /// <summary>
    /// The file diffs from <paramref name="oldTree"/> to <paramref name="newTree"/> under the Browse bounds: sizes from
    /// object headers, a blob over <c>MaxDiffBlobBytes</c> never loaded, line and byte budgets per commit, files per
    /// commit. Commit pages and compare pages both use it.
    /// </summary>
    public List<FileDiff> DiffTrees(LibGit2Sharp.Repository repository, Tree? oldTree, Tree newTree, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var changes = Changes(repository, oldTree, newTree);
        var files = new List<FileDiff>();
        var lineBudget = limits.MaxDiffLinesPerCommit;
        var byteBudget = limits.MaxDiffBytesPerCommit;
        truncated = changes.Count > limits.MaxDiffFiles;
        foreach (var change in changes.Take(limits.MaxDiffFiles))
        {
            var oldSize = change.OldExists ? HeaderSize(repository, change.OldOid) : 0;
            var newSize = change.Exists ? HeaderSize(repository, change.Oid) : 0;
            var oldPath = change.OldPath != change.Path ? change.OldPath : null;
            var status = change.Status.ToString();
            if (change.Mode == Mode.GitLink || change.OldMode == Mode.GitLink)
            {
                files.Add(new FileDiff(change.Path, oldPath, status, 0, 0, false, [], false, OldSize: oldSize, NewSize: newSize));
                continue;
            }

            if (oldSize > limits.MaxDiffBlobBytes || newSize > limits.MaxDiffBlobBytes)
            {
                files.Add(new FileDiff(change.Path, oldPath, status, 0, 0, false, [], false, TooLarge: true, OldSize: oldSize, NewSize: newSize));
                continue;
            }

            if (lineBudget <= 0 || oldSize + newSize > byteBudget)
            {
                truncated = true;
                files.Add(new FileDiff(change.Path, oldPath, status, 0, 0, false, [], false, Skipped: true, OldSize: oldSize, NewSize: newSize));
                continue;
            }

            byteBudget -= oldSize + newSize;
            var content = repository.Diff.Compare(
                change.OldExists ? repository.Lookup<Blob>(change.OldOid) : null,
                change.Exists ? repository.Lookup<Blob>(change.Oid) : null,
                new CompareOptions { ContextLines = 3 });
            var fileTruncated = false;
            var lines = content.IsBinaryComparison ? [] : ParsePatch(content.Patch, Math.Min(lineBudget, limits.MaxDiffLinesPerFile), out fileTruncated);
            lineBudget -= lines.Count;
            truncated |= fileTruncated;
            files.Add(new FileDiff(change.Path, oldPath, status, content.LinesAdded, content.LinesDeleted, content.IsBinaryComparison,
                lines, fileTruncated, OldSize: oldSize, NewSize: newSize));
        }

        return files;
    }

    /// <summary>
    /// The changed paths between two trees, read from the trees alone. Renames are detected by content only when
    /// every added and deleted blob is small enough to diff (similarity reads both sides), else by identical ids.
    /// </summary>
    private List<TreeEntryChanges> Changes(LibGit2Sharp.Repository repository, Tree? oldTree, Tree newTree)
    {
        var plain = repository.Diff.Compare<TreeChanges>(oldTree, newTree, new CompareOptions { Similarity = SimilarityOptions.None });
        var candidates = plain.Added.Select(c => c.Oid).Concat(plain.Deleted.Select(c => c.OldOid)).ToList();
        var similarity = candidates.Count <= 2 * RenameLimit && candidates.All(id => HeaderSize(repository, id) <= limits.MaxDiffBlobBytes)
            ? SimilarityOptions.Renames
            : SimilarityOptions.Exact;
        if (candidates.Count == 0)
        {
            return [.. plain];
        }

        similarity.RenameLimit = RenameLimit;
        return [.. repository.Diff.Compare<TreeChanges>(oldTree, newTree, new CompareOptions { Similarity = similarity })];
    }

    /// <summary>Added plus deleted files considered for content rename detection (git's diff.renameLimit default is 1,000).</summary>
    private const int RenameLimit = 400;

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
}
