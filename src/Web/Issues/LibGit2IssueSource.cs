using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;
using LibGit2Sharp;

namespace GitTorrent.Web.Issues;

/// <summary>
/// Objects for <see cref="IssueReader"/> read in-process with LibGit2Sharp (no process per page). Blob sizes come from
/// the object header first, so a huge blob is never loaded. Use it only while the repository lease is held.
/// </summary>
public sealed class LibGit2IssueSource(Repository repository) : IIssueObjectSource
{
    public Task<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>> ReadTreesAsync(IReadOnlyCollection<Hash20> ids,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var trees = new Dictionary<Hash20, IReadOnlyList<GitTreeEntry>>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (repository.Lookup<Tree>(new ObjectId(id.ToString())) is { } tree)
            {
                trees[id] = Entries(tree);
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
            var oid = new ObjectId(id.ToString());
            if (!repository.ObjectDatabase.Contains(oid))
            {
                continue;
            }
            var header = repository.ObjectDatabase.RetrieveObjectMetadata(oid);
            if (header.Size > maxBytes)
            {
                blobs[id] = new IssueBlob(header.Size, null);
            }
            else if (repository.Lookup<Blob>(oid) is { } blob)
            {
                using var stream = blob.GetContentStream();
                using var buffer = new MemoryStream((int)header.Size);
                stream.CopyTo(buffer);
                blobs[id] = new IssueBlob(header.Size, buffer.ToArray());
            }
        }
        return Task.FromResult<IReadOnlyDictionary<Hash20, IssueBlob>>(blobs);
    }

    /// <summary>A tree's entries in the engine's form.</summary>
    public static List<GitTreeEntry> Entries(Tree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var entries = new List<GitTreeEntry>(tree.Count);
        foreach (var entry in tree)
        {
            var kind = entry.TargetType switch
            {
                TreeEntryTargetType.Tree => GitTreeEntryKind.Tree,
                TreeEntryTargetType.GitLink => GitTreeEntryKind.Submodule,
                _ when entry.Mode == Mode.SymbolicLink => GitTreeEntryKind.Symlink,
                _ => GitTreeEntryKind.File,
            };
            entries.Add(new GitTreeEntry(entry.Name, Hash20.Parse(entry.Target.Sha), kind));
        }
        return entries;
    }
}
