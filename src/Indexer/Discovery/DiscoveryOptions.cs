using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// Discovery of users (section <c>GitTorrent</c>, e.g. <c>GitTorrent__Peers</c>, <c>GitTorrent__DiscoveryLookupsPerMinute</c>):
/// keys seen in BEP 44 puts at our DHT node, other portals' <c>/api/users</c> feeds, and ids asked for on the portal.
/// Every id is verified by a DHT get before anything about it is stored; each source is bounded here.
/// </summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "GitTorrent";

    /// <summary>Comma-separated base URLs of other portals whose <c>/api/users</c> feed this one follows; empty = none.</summary>
    public string? Peers { get; set; }

    /// <summary>DHT lookups of ids named by feeds or asked for (<c>POST /api/users</c>), at most this many in any minute (default 60).</summary>
    [Range(1, 100_000)]
    public int DiscoveryLookupsPerMinute { get; set; } = 60;

    /// <summary>Whether keys seen in BEP 44 puts at our DHT node are crawled (default true).</summary>
    public bool DiscoveryFromPuts { get; set; } = true;

    /// <summary>New keys from BEP 44 puts at our node turned into crawl jobs, at most this many in any minute (default 600); the rest wait.</summary>
    [Range(1, 100_000)]
    public int DiscoveryPutsPerMinute { get; set; } = 600;

    /// <summary>
    /// Whether other DHT nodes are asked for samples of the profile items they store (<c>sample_items</c>, docs/PROTOCOL.md
    /// section 2) and the unknown keys crawled (default true): how a portal finds users whose puts never reached its node.
    /// </summary>
    public bool DiscoveryFromSamples { get; set; } = true;

    /// <summary>How often the walk of the DHT for samples runs (default 20 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DiscoverySampleInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>DHT nodes asked for a sample in one walk (default 64), 16 at a time.</summary>
    [Range(1, 10_000)]
    public int DiscoverySampleNodesPerWalk { get; set; } = 64;

    /// <summary>DHT nodes the walk remembers (when each may be asked again); beyond this new ones are not added (default 5,000).</summary>
    [Range(1, 1_000_000)]
    public int DiscoverySampleNodesKnown { get; set; } = 5_000;

    /// <summary>The shortest time between two samples of one node, whatever its answer's <c>interval</c> says (default 1 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DiscoverySampleMinInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sampled keys new to this portal turned into crawl jobs, at most this many in any minute (default 600); the rest wait.</summary>
    [Range(1, 1_000_000)]
    public int DiscoverySamplesPerMinute { get; set; } = 600;

    /// <summary>Ids waiting for a lookup; beyond this they are dropped and counted (default 10,000). Feeds wait for room instead.</summary>
    [Range(1, 1_000_000)]
    public int DiscoveryQueueLimit { get; set; } = 10_000;

    /// <summary>Users per <c>/api/users</c> page when the caller gives no <c>limit</c> (default 100).</summary>
    [Range(1, 10_000)]
    public int UsersFeedDefaultLimit { get; set; } = 100;

    /// <summary>The largest <c>limit</c> <c>/api/users</c> accepts; larger ones are cut to it (default 1,000).</summary>
    [Range(1, 10_000)]
    public int UsersFeedMaxLimit { get; set; } = 1000;

    /// <summary>
    /// <c>/api/users</c> lists only changes older than this (default 5 s), so a profile write that commits after a later
    /// one is not skipped by a reader's cursor.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan UsersFeedSettle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a followed feed read to its end is read again (default 1 min).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PeerFeedInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The <c>limit</c> asked of a peer's feed; a page with more users is cut to it and counted (default 500).</summary>
    [Range(1, 10_000)]
    public int PeerFeedPageSize { get; set; } = 500;

    /// <summary>Pages read per feed job run (default 20); the job comes back at once when there is more and room to queue it.</summary>
    [Range(1, 10_000)]
    public int PeerFeedPagesPerRun { get; set; } = 20;

    /// <summary>Time allowed for one page of a peer's feed, headers and body (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PeerFeedTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes read of one page of a peer's feed; a longer answer is an error (default 1 MiB).</summary>
    [Range(1024, 64L << 20)]
    public long PeerFeedMaxBytes { get; set; } = 1L << 20;

    /// <summary>First wait after a failed feed read; doubles with each consecutive failure (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan PeerFeedInitialBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between failed feed reads (default 1 h).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan PeerFeedMaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>POST /api/users</c> requests per client address per <see cref="UserLookupWindow"/> (default 10); more get 429.</summary>
    [Range(1, 100_000)]
    public int UserLookupsPerAddress { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UserLookupWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The configured peers: absolute http(s) URLs without a trailing slash, at most <c>DataLimits.MaxPeerUrl</c> long.</summary>
    public IReadOnlyList<string> PeerList() =>
        [.. (Peers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.TrimEnd('/'))
            .Where(p => p.Length <= Data.DataLimits.MaxPeerUrl && Uri.TryCreate(p, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            .Distinct(StringComparer.Ordinal)];
}
