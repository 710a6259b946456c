using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Indexer.Profiles;

/// <summary>Schedule of the profile crawler (section <c>GitTorrent:Crawler</c>).</summary>
public sealed class ProfileCrawlerOptions
{
    public const string SectionName = "GitTorrent:Crawler";

    /// <summary>How often a known, reachable profile is fetched again.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>First wait after a failed fetch; doubles with each failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long the crawler sleeps when nothing is due, and how often it looks for new ids to plan.</summary>
    public TimeSpan Idle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Crawl jobs one replica claims at once (one lease each, renewed together).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Profiles fetched at once.</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>Time allowed for one profile lookup (manifest included).</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
