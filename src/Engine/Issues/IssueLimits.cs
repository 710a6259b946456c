using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Engine.Issues;

/// <summary>
/// Bounds on what reading issues from a repository may cost: a repository is written by strangers, so every file
/// size, count and length has a limit. A file over a limit is reported as unreadable with its path (never thrown).
/// </summary>
public sealed class IssueLimits
{
    /// <summary>Configuration section of the portal (<c>GitTorrent:Issues</c>).</summary>
    public const string SectionName = "GitTorrent:Issues";

    /// <summary>Largest <c>issue.md</c> or comment file that is read. Default 256 KiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxFileBytes { get; set; } = 256 * 1024;

    /// <summary>Longest title, in characters. Default 256.</summary>
    [Range(1, 65536)]
    public int MaxTitleLength { get; set; } = 256;

    /// <summary>Most labels on one issue. Default 20.</summary>
    [Range(0, 1000)]
    public int MaxLabels { get; set; } = 20;

    /// <summary>Longest label, in characters. Default 50.</summary>
    [Range(1, 1000)]
    public int MaxLabelLength { get; set; } = 50;

    /// <summary>Most front-matter lines in one file. Default 64.</summary>
    [Range(4, 10000)]
    public int MaxFrontMatterLines { get; set; } = 64;

    /// <summary>Comments read for one issue (the oldest first); more are counted but not shown. Default 1,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxCommentsPerIssue { get; set; } = 1000;

    /// <summary>Issue folders read from one tree; a tree with more is listed up to this many and marked truncated. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxIssues { get; set; } = 100_000;
}
