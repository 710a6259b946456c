using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Bounds of git smart HTTP and of the static downloads beside it (<c>/packs/*.pack</c>, bundles): section
/// <c>GitTorrent:GitHttp</c>, env <c>GitTorrent__GitHttp__...</c>.
/// </summary>
public sealed class GitHttpOptions
{
    public const string SectionName = "GitTorrent:GitHttp";

    /// <summary>
    /// <c>git upload-pack</c> processes one client address (an IPv6 /64) may run at once; further requests from it wait
    /// in its queue (<see cref="UploadPackQueuePerAddress"/>, <see cref="UploadPackQueueWait"/>), then get 429 with
    /// <c>Retry-After</c>. A clone runs one at a time, and each upload-pack may start a <c>pack-objects</c> as busy as a
    /// core: one per address keeps a stranger to one core however many clones it starts. Default 1.
    /// </summary>
    [Range(1, 1000)]
    public int MaxUploadPacksPerAddress { get; set; } = 1;

    /// <summary>
    /// Requests of one client address that may wait for its upload-pack slot (a user running two clones at once from
    /// one address is served in turn instead of refused); more get 429 at once. 0 = no queue. Default 4.
    /// </summary>
    [Range(0, 1000)]
    public int UploadPackQueuePerAddress { get; set; } = 4;

    /// <summary>How long a request may wait in its address's queue before it gets 429. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan UploadPackQueueWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>git upload-pack</c> processes in total (each may start a <c>pack-objects</c> as busy as a core); more get 503
    /// with <c>Retry-After</c>. Default 8.
    /// </summary>
    [Range(1, 10000)]
    public int MaxUploadPacks { get; set; } = 8;

    /// <summary>The <c>Retry-After</c> sent with 429 and 503. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest <c>git-upload-pack</c> request body, as received and after gzip decompression; larger gets 413. A
    /// negotiation is 50 bytes a ref or have, so even 100k refs fit in a few MiB. Default 64 MiB.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Pack (<c>/packs/*.pack</c>) and bundle downloads one client address (an IPv6 /64) may run at once; more get 429
    /// with <c>Retry-After</c>. A web-seeding BitTorrent client opens a few. Default 4.
    /// </summary>
    [Range(1, 1000)]
    public int MaxDownloadsPerAddress { get; set; } = 4;

    /// <summary>Pack and bundle downloads in total; more get 503 with <c>Retry-After</c>. Default 64.</summary>
    [Range(1, 100000)]
    public int MaxDownloads { get; set; } = 64;

    /// <summary>
    /// How long an HTTP cache may keep a bundle before it asks again (<c>Cache-Control: public, max-age</c>; the
    /// <c>ETag</c> changes with the refs, so a revalidation is a 304 while they stay). Default 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BundleMaxAge { get; set; } = TimeSpan.FromMinutes(1);
}
