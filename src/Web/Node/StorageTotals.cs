namespace GitTorrent.Web.Node;

/// <summary>What the portal keeps on disk: the store (and each user's part of it), the node's pack cache, downloads in
/// progress and profile manifests, in bytes.</summary>
public sealed record StorageTotals(long StoreBytes, long PackCacheBytes, long DownloadBytes, long ManifestBytes,
    IReadOnlyList<(string UserId, long Bytes)> Users);
