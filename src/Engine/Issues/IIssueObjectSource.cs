using GitTorrent.Engine.Git;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Where <see cref="IssueReader"/> gets git objects (<see cref="ObjectReaderIssueSource"/>; tests wrap it to count reads).
/// Requests come in batches, one per level of the tree. Objects that are missing (or of another type) are left out of
/// the answer.
/// </summary>
public interface IIssueObjectSource
{
    Task<IReadOnlyDictionary<Hash20, IReadOnlyList<GitTreeEntry>>> ReadTreesAsync(IReadOnlyCollection<Hash20> ids,
        CancellationToken cancellationToken);

    /// <summary>Blobs; the content of one larger than <paramref name="maxBytes"/> is not read (null).</summary>
    Task<IReadOnlyDictionary<Hash20, IssueBlob>> ReadBlobsAsync(IReadOnlyCollection<Hash20> ids, int maxBytes,
        CancellationToken cancellationToken);
}
