using System.Collections.Concurrent;

namespace GitTorrent.Web;

/// <summary>
/// Counts of what the portal's bounds did (refusals, password hashes computed, downloads refused), since start. Shown on
/// <c>/admin</c> and in <c>/api/admin/stats</c>, so an operator (and a test) sees a limit bite without reading logs.
/// </summary>
public sealed class PortalCounters
{
    /// <summary>Passwords hashed to check a sign-in or a password change (about 0.1 s of CPU each).</summary>
    public const string PasswordHashes = "passwordHashes";

    /// <summary>Sign-in posts refused by the per-address rate limit (429 before any work).</summary>
    public const string SignInRefusedPerAddress = "signInRefusedPerAddress";

    /// <summary>Sign-ins refused by the per-user-name rate limit.</summary>
    public const string SignInRefusedPerUserName = "signInRefusedPerUserName";

    /// <summary>Sign-ins refused because the name is locked out from that address after failures.</summary>
    public const string SignInRefusedLockedOut = "signInRefusedLockedOut";

    /// <summary>Sessions ended because their admin's security stamp changed (password changed elsewhere).</summary>
    public const string SessionsRevoked = "sessionsRevoked";

    /// <summary>Smart-HTTP requests that waited in their address's queue for an upload-pack slot.</summary>
    public const string UploadPackWaited = "uploadPackWaited";

    /// <summary>Smart-HTTP requests refused because their address already ran its upload-packs and its queue was full or its wait ran out (429).</summary>
    public const string UploadPackRefusedPerAddress = "uploadPackRefusedPerAddress";

    /// <summary>Smart-HTTP requests refused because the portal ran its upload-packs in total (503).</summary>
    public const string UploadPackRefusedTotal = "uploadPackRefusedTotal";

    /// <summary>Bytes <c>git upload-pack</c> sent over smart HTTP (advertisements and packs).</summary>
    public const string UploadPackBytesServed = "uploadPackBytesServed";

    /// <summary>Bundle bytes sent (<c>/{nameOrId}/{repo}.bundle</c>, ranges included).</summary>
    public const string BundleBytesServed = "bundleBytesServed";

    /// <summary>Bundles answered from a pack made for the request (not already in the pack cache).</summary>
    public const string BundlePacksBuilt = "bundlePacksBuilt";

    /// <summary>Bundle requests refused because a pack build bound of the pack cache was reached (429/503).</summary>
    public const string BundleBuildsRefused = "bundleBuildsRefused";

    /// <summary>Pack and bundle downloads refused because their address already ran its downloads (429).</summary>
    public const string DownloadRefusedPerAddress = "downloadRefusedPerAddress";

    /// <summary>Pack and bundle downloads refused because the portal ran its downloads in total (503).</summary>
    public const string DownloadRefusedTotal = "downloadRefusedTotal";

    /// <summary>Smart-HTTP request bodies refused for size, as sent or decompressed (413).</summary>
    public const string RequestBodiesTooLarge = "requestBodiesTooLarge";

    /// <summary>Packs not downloaded from the swarm because they exceeded the owner's quota.</summary>
    public const string DownloadsOverQuota = "downloadsOverQuota";

    /// <summary><c>POST /api/users</c> requests refused by the per-address rate limit (429).</summary>
    public const string UserLookupsRefusedPerAddress = "userLookupsRefusedPerAddress";

    /// <summary>Every counter, in the order shown.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        PasswordHashes, SignInRefusedPerAddress, SignInRefusedPerUserName, SignInRefusedLockedOut, SessionsRevoked,
        UploadPackWaited, UploadPackRefusedPerAddress, UploadPackRefusedTotal, RequestBodiesTooLarge, DownloadsOverQuota, UploadPackBytesServed,
        BundleBytesServed, BundlePacksBuilt, BundleBuildsRefused, DownloadRefusedPerAddress, DownloadRefusedTotal,
        UserLookupsRefusedPerAddress,
    ];

    private readonly ConcurrentDictionary<string, long> _values = new(StringComparer.Ordinal);

    public void Add(string name, long amount = 1) => _values.AddOrUpdate(name, amount, (_, v) => v + amount);

    public long Get(string name) => _values.GetValueOrDefault(name);

    /// <summary>Every counter (zeros included), in <see cref="Names"/> order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot() => [.. Names.Select(n => KeyValuePair.Create(n, Get(n)))];
}
