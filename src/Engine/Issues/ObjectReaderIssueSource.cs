using System.Text;
using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Objects for <see cref="IssueReader"/> from a <see cref="GitObjectReader"/>, in-process, for the command line and the
/// portal alike; also finds the <c>.issues</c> tree of a commit. Objects that are missing, damaged or of another type
/// are left out of the answers.
/// </summary>
public sealed class ObjectReaderIssueSource(GitObjectReader reader) : IIssueObjectSource
{
    /// <summary>Trees are small; a tree object larger than this is treated as missing.</summary>
    public const int MaxTreeBytes = 64 * 1024 * 1024;

    public Task<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>> ReadTreesAsync(IReadOnlyCollection<Hash20> ids,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var trees = new Dictionary<Hash20, IReadOnlyList<GitTreeEntry>>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadTree(id) is { } entries)
            {
                trees[id] = entries;
            }
        }
        return Task.FromResult<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>>(trees);
    }

    public Task<IReadOnlyDictionary<Hash20, IssueBlob>> ReadBlobsAsync(IReadOnlyCollection<Hash20> ids, int maxBytes,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var blobs = new Dictionary<Hash20, IssueBlob>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.Read(id, maxBytes) is { Type: GitObjectType.Blob } blob)
            {
                blobs[id] = new IssueBlob(blob.Size, blob.Content);
            }
        }
        return Task.FromResult<IReadOnlyDictionary<Hash20, IssueBlob>>(blobs);
    }

    /// <summary>True when the id names a commit this repository has.</summary>
    public bool HasCommit(Hash20 commit) => reader.Read(commit, 0) is { Type: GitObjectType.Commit };

    /// <summary>
    /// The <c>.issues</c> tree of a commit: its id and entries; (null, []) when the commit has none, and null when the
    /// commit cannot be read.
    /// </summary>
    public (Hash20? Id, IReadOnlyList<GitTreeEntry> Entries)? IssuesTreeOf(Hash20 commit)
    {
        if (IssuesTreeIdOf(commit) is not { } found)
        {
            return null;
        }
        return found.Id is { } id && ReadTree(id) is { } entries ? (id, entries) : (null, []);
    }

    /// <summary>The id of a commit's <c>.issues</c> tree (reads the commit and its root tree only); null when the commit cannot be read.</summary>
    public (Hash20? Id, bool HasIssues)? IssuesTreeIdOf(Hash20 commit)
    {
        if (reader.Read(commit, MaxTreeBytes) is not { Type: GitObjectType.Commit, Content: { } content })
        {
            return null;
        }
        // A commit starts with "tree <40 hex>\n".
        var text = Encoding.ASCII.GetString(content, 0, Math.Min(content.Length, 46));
        if (!text.StartsWith("tree ", StringComparison.Ordinal) || !Hash20.TryParse(text[5..Math.Min(text.Length, 45)], out var root)
            || ReadTree(root) is not { } entries)
        {
            return null;
        }
        return entries.FirstOrDefault(e => e.Name == IssuePaths.Root && e.Kind == GitTreeEntryKind.Tree) is { } issues
            ? (issues.Id, true)
            : (null, false);
    }

    public List<GitTreeEntry>? ReadTree(Hash20 id) =>
        reader.Read(id, MaxTreeBytes) is { Type: GitObjectType.Tree, Content: { } content } && GitTree.TryParse(content, out var entries)
            ? entries
            : null;
}
