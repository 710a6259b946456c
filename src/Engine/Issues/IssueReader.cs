using System.Globalization;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Reads issues out of git trees (docs/PROTOCOL.md section 6) through an <see cref="IIssueObjectSource"/>, within
/// <see cref="IssueLimits"/>. Every bad folder or file becomes an <see cref="UnreadableIssueFile"/> with its path;
/// nothing a repository contains makes it throw.
/// </summary>
public sealed class IssueReader(IIssueObjectSource source, IssueLimits limits)
{
    /// <summary>
    /// The issues of an <c>.issues</c> tree (its entries). Folders found in <paramref name="cache"/> by name and tree
    /// id are not read again, so listing a commit that changed one issue reads one folder.
    /// </summary>
    public async Task<IssueListing> ListAsync(IReadOnlyList<GitTreeEntry> issuesTree, IIssueSummaryCache? cache,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuesTree);
        var folders = issuesTree.Where(e => e.Kind == GitTreeEntryKind.Tree).ToList();
        var truncated = folders.Count > limits.MaxIssues;
        var issues = new List<IssueSummary>();
        var unreadable = new List<UnreadableIssueFile>();
        foreach (var summary in await SummarizeFoldersAsync(folders.Take(limits.MaxIssues).ToList(), cache, cancellationToken).ConfigureAwait(false))
        {
            if (summary.Issue is { } issue)
            {
                issues.Add(issue);
            }
            else if (summary.Unreadable is { } problem)
            {
                unreadable.Add(problem);
            }
        }
        issues.Sort(IssueSummary.NewestFirst);
        unreadable.Sort((x, y) => string.CompareOrdinal(x.Path, y.Path));
        return new IssueListing(issues, unreadable, truncated);
    }

    /// <summary>
    /// What each folder of an <c>.issues</c> tree lists as, in the order given: a folder whose name is not an issue
    /// id is unreadable, one found in <paramref name="cache"/> by name and tree id is not read again, the rest are
    /// read (<see cref="SummarizeAsync"/>) and added to the cache.
    /// </summary>
    public async Task<IReadOnlyList<IssueFolderSummary>> SummarizeFoldersAsync(IReadOnlyList<GitTreeEntry> folders, IIssueSummaryCache? cache,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var results = new IssueFolderSummary?[folders.Count];
        var misses = new List<GitTreeEntry>();
        var missAt = new List<int>();
        for (var i = 0; i < folders.Count; i++)
        {
            var folder = folders[i];
            if (!IssueId.IsValid(folder.Name))
            {
                results[i] = new IssueFolderSummary(null,
                    new UnreadableIssueFile(IssuePaths.Folder(folder.Name), "not an issue folder: the name is not 12 lowercase hex digits"));
            }
            else if (cache is not null && cache.TryGet(folder.Name, folder.Id, out var cached))
            {
                results[i] = cached;
            }
            else
            {
                misses.Add(folder);
                missAt.Add(i);
            }
        }
        var read = await SummarizeAsync(misses, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < misses.Count; i++)
        {
            cache?.Set(misses[i].Name, misses[i].Id, read[i]);
            results[missAt[i]] = read[i];
        }
        return results!;
    }

    /// <summary>Reads the <c>issue.md</c> and counts the comments of each folder (named by id, at a tree id).</summary>
    public async Task<IReadOnlyList<IssueFolderSummary>> SummarizeAsync(IReadOnlyList<GitTreeEntry> folders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0)
        {
            return [];
        }
        var trees = await source.ReadTreesAsync(folders.Select(f => f.Id).ToHashSet(), cancellationToken).ConfigureAwait(false);
        var issueFiles = new HashSet<Hash20>();
        var commentTrees = new HashSet<Hash20>();
        foreach (var folder in folders)
        {
            if (trees.TryGetValue(folder.Id, out var entries))
            {
                if (IssueFileOf(entries) is { } file)
                {
                    issueFiles.Add(file.Id);
                }
                if (CommentsOf(entries) is { } comments)
                {
                    commentTrees.Add(comments.Id);
                }
            }
        }
        var blobs = await source.ReadBlobsAsync(issueFiles, limits.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var commentEntries = await source.ReadTreesAsync(commentTrees, cancellationToken).ConfigureAwait(false);
        var results = new List<IssueFolderSummary>(folders.Count);
        foreach (var folder in folders)
        {
            var path = IssuePaths.IssueFileOf(folder.Name);
            if (!trees.TryGetValue(folder.Id, out var entries) || IssueFileOf(entries) is not { } file)
            {
                results.Add(new IssueFolderSummary(null, new UnreadableIssueFile(path, "missing")));
                continue;
            }
            if (!TryParseIssue(blobs.GetValueOrDefault(file.Id), out var document, out var error))
            {
                results.Add(new IssueFolderSummary(null, new UnreadableIssueFile(path, error)));
                continue;
            }
            var count = CommentsOf(entries) is { } comments && commentEntries.TryGetValue(comments.Id, out var list)
                ? list.Count(IsCommentFile)
                : 0;
            results.Add(new IssueFolderSummary(
                new IssueSummary(folder.Name, document!.Title, document.Author, document.Created, document.State, document.Labels, count), null));
        }
        return results;
    }

    /// <summary>One issue whole: document, comments in order (bounded), and every unreadable file of its folder.</summary>
    public async Task<IssueDetail> ReadAsync(string id, Hash20 folderTree, CancellationToken cancellationToken)
    {
        var unreadable = new List<UnreadableIssueFile>();
        var trees = await source.ReadTreesAsync([folderTree], cancellationToken).ConfigureAwait(false);
        var entries = trees.GetValueOrDefault(folderTree) ?? [];
        var issueFile = IssueFileOf(entries);
        var commentsTree = CommentsOf(entries);
        var commentFiles = new List<GitTreeEntry>();
        if (commentsTree is not null)
        {
            var listed = await source.ReadTreesAsync([commentsTree.Id], cancellationToken).ConfigureAwait(false);
            foreach (var entry in listed.GetValueOrDefault(commentsTree.Id) ?? [])
            {
                if (IsCommentFile(entry))
                {
                    commentFiles.Add(entry);
                }
                else
                {
                    unreadable.Add(new UnreadableIssueFile(IssuePaths.CommentFileOf(id, entry.Name),
                        "not a comment file: the name is not <created>-<8 hex>.md"));
                }
            }
        }
        // The oldest by file name (its created seconds) first, so the bound keeps the start of the conversation.
        commentFiles.Sort((x, y) => CompareCommentNames(x.Name, y.Name));
        var shown = commentFiles.Take(limits.MaxCommentsPerIssue).ToList();
        var wanted = shown.Select(e => e.Id).ToHashSet();
        if (issueFile is not null)
        {
            wanted.Add(issueFile.Id);
        }
        var blobs = await source.ReadBlobsAsync(wanted, limits.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        IssueDocument? document = null;
        if (issueFile is null)
        {
            unreadable.Add(new UnreadableIssueFile(IssuePaths.IssueFileOf(id), "missing"));
        }
        else if (!TryParseIssue(blobs.GetValueOrDefault(issueFile.Id), out document, out var error))
        {
            unreadable.Add(new UnreadableIssueFile(IssuePaths.IssueFileOf(id), error));
        }
        var comments = new List<IssueComment>();
        foreach (var entry in shown)
        {
            var blob = blobs.GetValueOrDefault(entry.Id);
            string reason;
            if (blob?.Content is { } content)
            {
                if (IssueFormat.TryParseComment(entry.Name, content, limits, out var comment, out reason))
                {
                    comments.Add(comment!);
                    continue;
                }
            }
            else
            {
                reason = blob is null ? "missing" : $"larger than {limits.MaxFileBytes} bytes";
            }
            unreadable.Add(new UnreadableIssueFile(IssuePaths.CommentFileOf(id, entry.Name), reason));
        }
        comments.Sort(IssueComment.Compare);
        return new IssueDetail(id, document, comments, commentFiles.Count - shown.Count, unreadable);
    }

    /// <summary>
    /// The folder of an issue in an <c>.issues</c> tree, by its id or a unique prefix of at least 4 hex digits.
    /// Null with a reason when there is none or the prefix is ambiguous.
    /// </summary>
    public static GitTreeEntry? Find(IReadOnlyList<GitTreeEntry> issuesTree, string idOrPrefix, out string error)
    {
        ArgumentNullException.ThrowIfNull(issuesTree);
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        error = "";
        if (!IssueId.IsPrefix(idOrPrefix))
        {
            error = $"'{idOrPrefix}' is not an issue id (12 hex digits, or at least the first 4)";
            return null;
        }
        var matches = issuesTree.Where(e => e.Kind == GitTreeEntryKind.Tree && IssueId.IsValid(e.Name)
            && e.Name.StartsWith(idOrPrefix, StringComparison.Ordinal)).Take(2).ToList();
        switch (matches.Count)
        {
            case 1:
                return matches[0];
            case 0:
                error = $"no issue {idOrPrefix}";
                return null;
            default:
                error = $"'{idOrPrefix}' is ambiguous: give more digits of the id";
                return null;
        }
    }

    private bool TryParseIssue(IssueBlob? blob, out IssueDocument? document, out string error)
    {
        document = null;
        if (blob?.Content is not { } content)
        {
            error = blob is null ? "missing" : $"larger than {limits.MaxFileBytes} bytes";
            return false;
        }
        return IssueFormat.TryParseIssue(content, limits, out document, out error);
    }

    private static GitTreeEntry? IssueFileOf(IReadOnlyList<GitTreeEntry> entries) =>
        entries.FirstOrDefault(e => e.Name == IssuePaths.IssueFile && e.Kind == GitTreeEntryKind.File);

    private static GitTreeEntry? CommentsOf(IReadOnlyList<GitTreeEntry> entries) =>
        entries.FirstOrDefault(e => e.Name == IssuePaths.CommentsFolder && e.Kind == GitTreeEntryKind.Tree);

    private static bool IsCommentFile(GitTreeEntry entry) =>
        entry.Kind == GitTreeEntryKind.File && IssueFormat.IsCommentFileName(entry.Name);

    /// <summary>By the created seconds in the name (numerically), then by name.</summary>
    private static int CompareCommentNames(string x, string y)
    {
        var a = long.Parse(x.AsSpan(0, x.IndexOf('-', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
        var b = long.Parse(y.AsSpan(0, y.IndexOf('-', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
        return a != b ? a.CompareTo(b) : string.CompareOrdinal(x, y);
    }
}
