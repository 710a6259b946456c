using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Web.Forks;

/// <summary>Forks and comparisons (section <c>GitTorrent:Forks</c>). Defaults are documented on each property.</summary>
public sealed class ForkOptions
{
    public const string SectionName = "GitTorrent:Forks";

    /// <summary>How often the whole store is scanned for default-branch roots (a sync or fetch updates its repository at once). Default 1 min.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Repositories of the store indexed for forks. Default 10,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxRepositories { get; set; } = 10_000;

    /// <summary>Commits walked to find a default branch's root commits (beyond it the roots found so far count). Default 2,000,000.</summary>
    [Range(1, int.MaxValue)]
    public int MaxRootWalkCommits { get; set; } = 2_000_000;

    /// <summary>Scratch repositories (alternates of two store repositories) kept for cross-repository comparisons. Default 256.</summary>
    [Range(1, 100_000)]
    public int MaxCompareWorkspaces { get; set; } = 256;

    /// <summary>Commits listed on a compare page. Default 250.</summary>
    [Range(1, 100_000)]
    public int MaxCompareCommits { get; set; } = 250;

    /// <summary>Time one <c>git merge-tree --write-tree</c> may take before the answer is "unknown". Default 10 s.</summary>
    public TimeSpan MergeCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Merge checks running at the same time (each is a git process). Default 2.</summary>
    [Range(1, 64)]
    public int MaxConcurrentMergeChecks { get; set; } = 2;
}
