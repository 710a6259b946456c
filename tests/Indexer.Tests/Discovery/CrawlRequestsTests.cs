using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine;
using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.Indexer.Tests.Profiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>
/// <see cref="CrawlRequests"/>: ids a source names once (a sample) and the per-minute budget holds back are planned by
/// later calls without being named again; ids named twice are counted once.
/// </summary>
public sealed class CrawlRequestsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ids_held_back_by_the_budget_are_planned_later_without_being_named_again()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var cts = new CancellationTokenSource(Timeout);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var statistics = new DiscoveryStatistics();
        var requests = new CrawlRequests(DiscoverySource.Sample, 2, 100, database.Factory, ProfileCrawlerTests.Runner(database, clock), statistics, clock);
        var ids = Enumerable.Range(0, 5).Select(_ => Hash20.Random()).ToList();

        Assert.Equal((2, 3), await requests.RequestAsync(ids.Select(id => (id, 0L)), cts.Token));
        Assert.Equal((0, 3), await requests.RequestAsync(ids.Take(1).Select(id => (id, 0L)), cts.Token)); // budget spent; nothing new
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((2, 1), await requests.RequestAsync([], cts.Token));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((1, 0), await requests.RequestAsync([], cts.Token));
        Assert.Equal((0, 0), await requests.RequestAsync(ids.Select(id => (id, 0L)), cts.Token)); // all handled

        await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
        var planned = await db.Jobs.Where(j => j.Kind == JobKinds.ProfileCrawl).Select(j => j.Key).ToListAsync(cts.Token);
        Assert.Equal(ids.Select(id => id.ToString()).Order(), planned.Order());
        Assert.Equal(5, statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.Seen));
        Assert.Equal(5, statistics.Get(DiscoverySource.Sample, DiscoveryOutcome.Lookup));
    }
}
