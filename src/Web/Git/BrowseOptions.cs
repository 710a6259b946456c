using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Web.Git;

/// <summary>
/// Bounds of repository browsing, section <c>GitTorrent:Browse</c> (env <c>GitTorrent__Browse__MaxRenderBytes</c>
/// etc.). A repository is hostile input: every page reads sizes from object headers first and never loads, diffs,
/// blames or highlights more than these limits allow.
/// </summary>
public sealed class BrowseOptions
{
    public const string SectionName = "GitTorrent:Browse";

    /// <summary>Seconds a client refused by a browsing bound (archives, expensive git work) is asked to wait (Retry-After).</summary>
    public const int RetryAfterSeconds = 10;

    /// <summary>Files larger than this are not rendered, highlighted or inlined (download raw instead). Default 1 MiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRenderBytes { get; set; } = 1024 * 1024;

    /// <summary>Images (png, jpg, gif, webp, svg) up to this size are shown inline on their file page. Default 8 MiB.</summary>
    [Range(0, 1024L * 1024 * 1024)]
    public long MaxInlineImageBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>A side of a file diff larger than this is not diffed ("too large to diff"). Default 1 MiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxDiffBlobBytes { get; set; } = 1024 * 1024;

    /// <summary>Diff lines shown per file. Default 3,000.</summary>
    [Range(10, 1_000_000)]
    public int MaxDiffLinesPerFile { get; set; } = 3000;

    /// <summary>Diff lines shown per commit. Default 20,000.</summary>
    [Range(10, 10_000_000)]
    public int MaxDiffLinesPerCommit { get; set; } = 20_000;

    /// <summary>Bytes of blob content diffed per commit (both sides added up); files past it are listed only. Default 8 MiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxDiffBytesPerCommit { get; set; } = 8L * 1024 * 1024;

    /// <summary>Changed files listed per commit. Default 300.</summary>
    [Range(1, 100_000)]
    public int MaxDiffFiles { get; set; } = 300;

    /// <summary>Memory for cached listings, rendered files, diffs, blame and history, in bytes. Default 256 MiB.</summary>
    [Range(1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long CacheBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Files larger than this are not blamed. Default 1 MiB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxBlameBytes { get; set; } = 1024 * 1024;

    /// <summary>Time one blame, file history, code search, file list or last-commit walk may take before it is stopped with a message. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan GitCommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Blames, histories, code searches, file lists and last-commit walks running at once (portal-wide); more wait. Default 4.</summary>
    [Range(1, 256)]
    public int MaxGitCommands { get; set; } = 4;

    /// <summary>
    /// Of those, how many one client address may have started and still running or waiting; more are refused (429)
    /// until one ends. Asking for one already under way (the same page) joins it and is not counted. Default 2.
    /// </summary>
    [Range(1, 256)]
    public int MaxGitCommandsPerClient { get; set; } = 2;

    /// <summary>Works waiting for a free slot at most (portal-wide); more are refused (503). Default 32.</summary>
    [Range(0, 100_000)]
    public int MaxGitCommandQueue { get; set; } = 32;

    /// <summary>Archives (<c>git archive</c>) being generated at once; more get 503 with Retry-After. Default 2.</summary>
    [Range(1, 256)]
    public int MaxArchives { get; set; } = 2;

    /// <summary>Archives being generated at once for one client address; more get 429. Default 1.</summary>
    [Range(1, 256)]
    public int MaxArchivesPerClient { get; set; } = 1;

    /// <summary>Bytes of output read from one blame, file history, code search or file list (git is stopped past it). Default 4 MiB.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxGitOutputBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Paths the file finder lists for one ref. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxFinderPaths { get; set; } = 100_000;
}
