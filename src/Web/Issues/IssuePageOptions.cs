using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Web.Issues;

/// <summary>
/// How the portal reads and shows issues (section <c>GitTorrent:Issues</c>, beside the format's own
/// <see cref="GitTorrent.Engine.Issues.IssueLimits"/>). Every bound a repository's author can push against is here.
/// </summary>
public sealed class IssuePageOptions
{
    public const string SectionName = "GitTorrent:Issues";

    /// <summary>Issues per page of the issue list. Default 50.</summary>
    [Range(1, 500)]
    public int IssuesPerPage { get; set; } = 50;

    /// <summary>Issue folder summaries kept in memory, by folder tree id, across all repositories. Default 500,000.</summary>
    [Range(1000, 100_000_000)]
    public int MaxCachedSummaries { get; set; } = 500_000;

    /// <summary>Indexed issue lists kept in memory (one per <c>.issues</c> tree), counted in issues. Default 1,000,000.</summary>
    [Range(1000, 100_000_000)]
    public long MaxCachedListedIssues { get; set; } = 1_000_000;

    /// <summary>Issue lists indexed at the same time (each reads and parses git objects). Default 2.</summary>
    [Range(1, 64)]
    public int MaxConcurrentIndexing { get; set; } = 2;

    /// <summary>Commits walked to find an issue's history (newest first). Default 2,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxHistoryCommits { get; set; } = 2000;

    /// <summary>Commits shown in an issue's history. Default 50.</summary>
    [Range(1, 10_000)]
    public int MaxHistoryShown { get; set; } = 50;

    /// <summary>Branches (of the repository and of its forks) searched for proposed issues and comments. Default 20.</summary>
    [Range(0, 1000)]
    public int MaxProposalSources { get; set; } = 20;

    /// <summary>Issues one source branch may propose (new issues or changed ones). Default 200.</summary>
    [Range(1, 100_000)]
    public int MaxProposedPerSource { get; set; } = 200;

    /// <summary>Longest title search accepted, in characters. Default 100.</summary>
    [Range(1, 1000)]
    public int MaxSearchLength { get; set; } = 100;

    /// <summary>Rendered issue and comment bodies kept in memory, in characters of HTML. Default 64 Mi.</summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long MaxCachedHtmlChars { get; set; } = 64L * 1024 * 1024;
}
