using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Issues;

/// <summary>Objects for <see cref="IssueReader"/> from a running <c>git cat-file --batch</c> (the command line's source).</summary>
public sealed class CatFileIssueSource(GitCatFile catFile) : IIssueObjectSource
{
    /// <summary>Trees are small; a tree object larger than this is left out (treated as missing).</summary>
    public const int MaxTreeBytes = 64 * 1024 * 1024;

    public async Task<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>> ReadTreesAsync(IReadOnlyCollection<Hash20> ids,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var names = ids.Select(i => i.ToString()).ToList();
        var objects = await catFile.ReadAsync(names, MaxTreeBytes, cancellationToken).ConfigureAwait(false);
        var trees = new Dictionary<Hash20, IReadOnlyList<GitTreeEntry>>(objects.Count);
        foreach (var item in objects)
        {
            if (item is { Type: "tree", Content: { } content } && GitTree.TryParse(content, out var entries))
            {
                trees[item.Id] = entries;
            }
        }
        return trees;
    }

    public async Task<IReadOnlyDictionary<Hash20, IssueBlob>> ReadBlobsAsync(IReadOnlyCollection<Hash20> ids, int maxBytes,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var names = ids.Select(i => i.ToString()).ToList();
        var objects = await catFile.ReadAsync(names, maxBytes, cancellationToken).ConfigureAwait(false);
        var blobs = new Dictionary<Hash20, IssueBlob>(objects.Count);
        foreach (var item in objects)
        {
            if (item is { Type: "blob" })
            {
                blobs[item.Id] = new IssueBlob(item.Size, item.Content);
            }
        }
        return blobs;
    }
}
