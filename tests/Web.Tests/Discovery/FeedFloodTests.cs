using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Discovery;

/// <summary>
/// Issue 13: a followed "portal" whose feed names 100,000 random ids (none of them in the DHT) makes the portal look up
/// at most its per-minute limit and store none of them; the pending-lookup queue stays within its bound.
/// </summary>
public sealed class FeedFloodTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);
    private const int LookupsPerMinute = 5;

    [Fact]
    public async Task A_feed_of_100000_random_ids_gets_at_most_the_lookup_rate_and_nothing_stored()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ids = Enumerable.Range(0, 100_000).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))).ToArray();
        using var feed = FeedServer.Start(request =>
        {
            var after = int.TryParse(request.QueryString["after"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
            var limit = int.Parse(request.QueryString["limit"] ?? "100", CultureInfo.InvariantCulture);
            var page = ids.Skip(after).Take(limit).ToList();
            var next = after + page.Count < ids.Length ? (after + page.Count).ToString(CultureInfo.InvariantCulture) : null;
            return (200, JsonSerializer.Serialize(new { users = page.Select(id => new { id, seq = 1 }), next }));
        });
        await using var dht = await PrivateDht.StartAsync(live: 2, departed: 1, cancellationToken: cts.Token);
        await using var storage = PortalStorage.Sqlite();
        var started = Stopwatch.StartNew();
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__Bootstrap"] = dht.Bootstrap,
            ["GitTorrent__Peers"] = feed.BaseUrl,
            ["GitTorrent__DiscoveryLookupsPerMinute"] = LookupsPerMinute.ToString(CultureInfo.InvariantCulture),
            ["GitTorrent__DiscoveryQueueLimit"] = "10000",
            ["GitTorrent__PeerFeedPageSize"] = "1000",
            ["GitTorrent__UsersFeedSettle"] = "00:00:00",
        }).WaitAsync(cts.Token);

        // Wait until the portal has read the feed up to its queue bound and its lookups have found nothing.
        Assert.True(await DiscoveryAcceptanceTests.WaitUntilAsync(async () =>
                await DiscoveryProbe.CountAsync(portal, "feed", "seen") >= 10_000
                && await DiscoveryProbe.CountAsync(portal, "feed", "notfound") >= LookupsPerMinute,
            TimeSpan.FromSeconds(150), cts.Token), portal.Runner.Describe());

        var lookups = await DiscoveryProbe.CountAsync(portal, "feed", "lookup");
        var windows = (int)(started.Elapsed / TimeSpan.FromMinutes(1)) + 1; // every minute since the start can hold the limit
        Assert.InRange(lookups, LookupsPerMinute, LookupsPerMinute * windows);
        Assert.Equal(0, await DiscoveryProbe.CountAsync(portal, "feed", "stored"));
        // The feed is read only as fast as the queue has room: about the bound, not all 100,000.
        Assert.InRange(await DiscoveryProbe.CountAsync(portal, "feed", "seen"), 10_000, 11_000);
        Assert.InRange(feed.Requests, 10, 12);

        // None of the ids is listed: the portal knows only itself.
        var listed = await DiscoveryProbe.FeedAsync(portal, 1000);
        Assert.Single(listed);
        var random = ids.ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(listed, random.Contains);
    }
}
