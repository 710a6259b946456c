using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Profiles;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>The lookup budget (at most N in any window, on the TimeProvider's clock) and the recrawl schedule.</summary>
public sealed class DiscoveryBoundsTests
{
    [Fact]
    public void The_budget_allows_at_most_its_limit_in_any_window()
    {
        var time = new FakeTimeProvider();
        var budget = new SlidingWindowBudget(5, TimeSpan.FromMinutes(1), time);
        Assert.Equal(3, budget.TryTake(3));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, budget.TryTake(10));
        Assert.Equal(0, budget.TryTake(1));
        Assert.Equal(TimeSpan.FromSeconds(30), budget.UntilFree());

        // 59 s after the first three: still inside their window.
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, budget.TryTake(1));
        // 60 s after them: those three are free again, the later two are not.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, budget.TryTake(10));
        Assert.Equal(0, budget.TryTake(1));

        // Over ten simulated minutes of asking every second, never more than 5 in any 60 s.
        var uses = new List<TimeSpan>();
        var start = time.GetUtcNow();
        for (var s = 0; s < 600; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            for (var i = budget.TryTake(100); i > 0; i--)
            {
                uses.Add(time.GetUtcNow() - start);
            }
        }
        Assert.True(uses.Count >= 45, $"{uses.Count} uses in 10 minutes");
        Assert.All(uses, u => Assert.True(uses.Count(v => v > u - TimeSpan.FromMinutes(1) && v <= u) <= 5));
    }

    [Fact]
    public void Recently_changed_profiles_are_crawled_again_sooner_within_the_bounds()
    {
        var options = new ProfileCrawlerOptions { Interval = TimeSpan.FromMinutes(30), MaxInterval = TimeSpan.FromDays(1), IntervalFraction = 0.1 };
        Assert.Equal(TimeSpan.FromMinutes(30), options.RecrawlInterval(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(30), options.RecrawlInterval(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromHours(2.4), options.RecrawlInterval(TimeSpan.FromDays(1)));
        Assert.Equal(TimeSpan.FromDays(1), options.RecrawlInterval(TimeSpan.FromDays(30)));
        Assert.Equal(TimeSpan.FromMinutes(30), options.RecrawlInterval(TimeSpan.FromDays(-3)));
        Assert.True(options.RecrawlInterval(TimeSpan.FromDays(2)) > options.RecrawlInterval(TimeSpan.FromDays(1)));
    }
}
