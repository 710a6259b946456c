using System.ComponentModel.DataAnnotations;

namespace GitTorrent.Indexer.Profiles;

/// <summary>Schedule of the profile crawler (section <c>GitTorrent:Crawler</c>).</summary>
public sealed class ProfileCrawlerOptions
{
    public const string SectionName = "GitTorrent:Crawler";

    /// <summary>
    /// The shortest wait before a known, reachable profile is fetched again (default 30 min): the wait for a user whose
    /// seq just changed. It grows with the time since the seq last changed (<see cref="IntervalFraction"/>) up to
    /// <see cref="MaxInterval"/>, so recently active users are re-fetched most often.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest wait before a reachable profile is fetched again (default 1 day).</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The wait is this fraction of the time since the profile's seq last changed, between the bounds (default 0.1).</summary>
    [Range(0.0, 100.0)]
    public double IntervalFraction { get; set; } = 0.1;

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

    /// <summary>
    /// The wait before re-fetching a profile whose seq last changed <paramref name="sinceChange"/> ago:
    /// <see cref="IntervalFraction"/> of it, at least <see cref="Interval"/>, at most <see cref="MaxInterval"/>.
    /// </summary>
    public TimeSpan RecrawlInterval(TimeSpan sinceChange)
    {
        var ticks = Math.Max(0, sinceChange.Ticks) * IntervalFraction;
        return TimeSpan.FromTicks((long)Math.Clamp(ticks, Interval.Ticks, Math.Max(Interval.Ticks, MaxInterval.Ticks)));
    }
}
