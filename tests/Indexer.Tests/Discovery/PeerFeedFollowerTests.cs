using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using GitTorrent.Data;
using GitTorrent.Data.Jobs;
using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Tests.Names;
using GitTorrent.Indexer.Tests.Profiles;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Indexer.Tests.Discovery;

/// <summary>Following another portal's <c>/api/users</c> feed: cursor kept, bounds, backoff (both providers).</summary>
public sealed class PeerFeedFollowerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>A feed of <paramref name="ids"/> paged by index, as a portal would (cursor = the next index).</summary>
    private static (int, string) Page(System.Net.HttpListenerRequest request, IReadOnlyList<string> ids)
    {
        var after = int.Parse(request.QueryString["after"] ?? "0", CultureInfo.InvariantCulture);
        var limit = int.Parse(request.QueryString["limit"] ?? "100", CultureInfo.InvariantCulture);
        var page = ids.Skip(after).Take(limit).ToList();
        var next = after + page.Count < ids.Count ? (after + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return (200, JsonSerializer.Serialize(new { users = page.Select(id => new { id, seq = 1, updatedAt = DateTimeOffset.UnixEpoch }), next }));
    }

    private static (PeerFeedFollower Follower, DiscoveryQueue Queue, DiscoveryStatistics Statistics) Follower(TestDatabase database, DiscoveryOptions settings,
        TimeProvider time)
    {
        var statistics = new DiscoveryStatistics();
        var options = Options.Create(settings);
        var queue = new DiscoveryQueue(options, statistics);
        return (new PeerFeedFollower(database.Factory, ProfileCrawlerTests.Runner(database, time), queue, statistics, options, time,
            NullLogger<PeerFeedFollower>.Instance), queue, statistics);
    }

    private static JobLease Lease(string key, int attempts) => new(1, JobKinds.PeerFeed, key, "test#1", 1, attempts, null);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_feed_is_read_page_by_page_from_the_kept_cursor_and_caught_up_feeds_wait_one_interval(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var ids = Enumerable.Range(0, 25).Select(_ => RandomId()).ToList();
        using var server = FeedServer.Start(r => Page(r, ids));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new DiscoveryOptions { PeerFeedPageSize = 10, PeerFeedPagesPerRun = 2, PeerFeedInterval = TimeSpan.FromMinutes(3) };
        var (follower, queue, statistics) = Follower(database, settings, time);
        using var cts = new CancellationTokenSource(Timeout);

        // Two pages per run: 20 ids, more to come (due again now), the cursor kept in the database.
        var first = await follower.ReadAsync(Lease(server.BaseUrl, 1), cts.Token);
        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(time.GetUtcNow(), first.NextDue);
        Assert.Equal(20, queue.Count);
        await using (var db = await database.Factory.CreateDbContextAsync(cts.Token))
        {
            var feed = await db.PeerFeeds.SingleAsync(cts.Token);
            Assert.Equal("20", feed.Cursor);
            Assert.Equal(20, feed.IdsSeen);
            Assert.Null(feed.CaughtUpAt);
        }

        // The next run (a new follower: another replica) goes on from the cursor and reaches the end.
        var (other, otherQueue, _) = Follower(database, settings, time);
        var second = await other.ReadAsync(Lease(server.BaseUrl, 1), cts.Token);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(time.GetUtcNow() + settings.PeerFeedInterval, second.NextDue);
        Assert.Equal(ids.Skip(20).ToHashSet(), otherQueue.Take(100).Select(i => i.Id.ToString()).ToHashSet());
        Assert.Equal(20, statistics.Get(DiscoverySource.Feed, DiscoveryOutcome.Seen));
        Assert.Equal(3, server.Requests);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_failing_peer_is_retried_with_exponential_capped_backoff(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        using var server = FeedServer.Start(_ => (500, "{}"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new DiscoveryOptions { PeerFeedInitialBackoff = TimeSpan.FromSeconds(30), PeerFeedMaxBackoff = TimeSpan.FromMinutes(3) };
        var (follower, queue, _) = Follower(database, settings, time);
        using var cts = new CancellationTokenSource(Timeout);
        var waits = new List<TimeSpan>();
        for (var attempts = 1; attempts <= 5; attempts++)
        {
            var outcome = await follower.ReadAsync(Lease(server.BaseUrl, attempts), cts.Token);
            Assert.False(outcome.Succeeded);
            Assert.Contains("500", outcome.Error, StringComparison.Ordinal);
            waits.Add(outcome.NextDue - time.GetUtcNow());
        }
        Assert.Equal(new double[] { 30, 60, 120, 180, 180 }, waits.Select(w => w.TotalSeconds));
        Assert.Equal(0, queue.Count);
        await using var db = await database.Factory.CreateDbContextAsync(cts.Token);
        Assert.Contains("500", (await db.PeerFeeds.SingleAsync(cts.Token)).LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_feed_gets_no_more_than_the_ids_it_names_within_the_page_size_and_the_byte_bound()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var cts = new CancellationTokenSource(Timeout);

        // More users than asked for, and entries that are not user ids: cut to the page size, the rest skipped.
        var many = Enumerable.Range(0, 50).Select(_ => (object)new { id = RandomId(), seq = 1 })
            .Concat([new { id = "ZZ" + RandomId()[2..], seq = 1 }, new { id = "../../etc", seq = 1 }]).ToList();
        using var greedy = FeedServer.Start(_ => (200, JsonSerializer.Serialize(new { users = Enumerable.Reverse(many), next = (string?)null })));
        var (follower, queue, _) = Follower(database, new DiscoveryOptions { PeerFeedPageSize = 10 }, time);
        Assert.True((await follower.ReadAsync(Lease(greedy.BaseUrl, 1), cts.Token)).Succeeded);
        Assert.Equal(10, queue.Count);

        // An answer larger than the byte bound is an error, and nothing of it is queued.
        using var huge = FeedServer.Start(_ => (200, JsonSerializer.Serialize(new { users = Enumerable.Range(0, 2000).Select(_ => new { id = RandomId() }) })));
        var (bounded, boundedQueue, _) = Follower(database, new DiscoveryOptions { PeerFeedMaxBytes = 4096 }, time);
        var outcome = await bounded.ReadAsync(Lease(huge.BaseUrl, 1), cts.Token);
        Assert.False(outcome.Succeeded);
        Assert.Contains("4096", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(0, boundedQueue.Count);

        // A full queue: the page is not even asked for (the feed waits for room rather than losing ids).
        using var waiting = FeedServer.Start(_ => (200, """{"users":[],"next":null}"""));
        var (patient, _, _) = Follower(database, new DiscoveryOptions { DiscoveryQueueLimit = 5, PeerFeedPageSize = 10 }, time);
        var deferred = await patient.ReadAsync(Lease(waiting.BaseUrl, 1), cts.Token);
        Assert.True(deferred.Succeeded);
        Assert.True(deferred.NextDue > time.GetUtcNow());
        Assert.Equal(0, waiting.Requests);
    }
}
