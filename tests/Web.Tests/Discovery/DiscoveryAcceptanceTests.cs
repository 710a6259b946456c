using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Discovery;

/// <summary>
/// Issue 13, discovery of users (real portals, a real loopback DHT with departed nodes, both providers): a user who never
/// registered a name reaches portal A through A's DHT node (its puts) and portal B through A's <c>/api/users</c> feed;
/// <c>POST /api/users</c> and the search page's form queue lookups, malformed ids get 400, too many from one address 429.
/// </summary>
public sealed partial class DiscoveryAcceptanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);
    private static readonly TimeSpan Listed = TimeSpan.FromSeconds(60);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [Fact]
    public async Task A_user_who_only_publishes_reaches_A_through_its_DHT_node_and_B_through_A_s_feed()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var dht = await PrivateDht.StartAsync(live: 2, departed: 2, cancellationToken: cts.Token);
        using var work = new TempDirectory("discovery");
        await using var storageA = PortalStorage.Sqlite();
        await using var storageB = PortalStorage.Postgres();
        var dhtPortA = FreePorts.Udp();
        await using var portalA = await PortalProcess.StartAsync(storageA, new Dictionary<string, string?>
        {
            ["GitTorrent__Bootstrap"] = dht.Bootstrap,
            ["GitTorrent__DhtPort"] = dhtPortA.ToString(CultureInfo.InvariantCulture),
            ["GitTorrent__UsersFeedSettle"] = "00:00:00",
            ["GitTorrent__Crawler__Idle"] = "00:00:01",
        }).WaitAsync(cts.Token);
        await using var portalB = await PortalProcess.StartAsync(storageB, new Dictionary<string, string?>
        {
            ["GitTorrent__Bootstrap"] = dht.Bootstrap,
            ["GitTorrent__DiscoveryFromPuts"] = "false", // B may learn users only from A's feed (and from requests)
            ["GitTorrent__Peers"] = portalA.Http.BaseAddress!.ToString(),
            ["GitTorrent__PeerFeedInterval"] = "00:00:01",
            ["GitTorrent__UserLookupsPerAddress"] = "20",
            ["GitTorrent__Crawler__Idle"] = "00:00:01",
        }).WaitAsync(cts.Token);

        // U: a node that publishes a profile and never registers a name; it bootstraps from A's node and the network.
        await using var nodeU = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work.Path, "u"),
            Bind = IPAddress.Loopback,
            Bootstrap = [$"127.0.0.1:{dhtPortA}", .. dht.Bootstrap.Split(',')],
        }, null, cts.Token);
        await nodeU.Joined.WaitAsync(cts.Token);
        using var u = UserIdentity.Generate();
        var commit = Hash20.Parse("5fbfea8de70ddc686dafdd24b690893f98eb9475");
        var profile = new UserProfile { Name = "Unregistered U" };
        profile.Repositories["discovered-repo"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
        var published = Stopwatch.StartNew();
        await nodeU.PublishProfileAsync(u, profile, 1, cts.Token);
        var id = u.UserId.ToString();

        var listedByA = await WaitUntilAsync(() => DiscoveryProbe.ListsAsync(portalA, id, "discovered-repo"), Listed - published.Elapsed, cts.Token);
        Assert.True(listedByA, $"A did not list U within {Listed}:\n{portalA.Runner.Describe()}");
        var listedByB = await WaitUntilAsync(() => DiscoveryProbe.ListsAsync(portalB, id, "discovered-repo"), Listed - published.Elapsed, cts.Token);
        Assert.True(listedByB, $"B did not list U within {Listed} of U's put:\n{portalB.Runner.Describe()}");
        Assert.True(await DiscoveryProbe.CountAsync(portalA, "put", "stored") >= 1);
        Assert.True(await DiscoveryProbe.CountAsync(portalB, "feed", "stored") >= 1);
        Assert.Equal(0, await DiscoveryProbe.CountAsync(portalB, "put", "seen"));

        // A's feed lists U, in pages of one, ending with next = null; B's user JSON carries lastSeen.
        Assert.Contains(id, await DiscoveryProbe.FeedAsync(portalA, 1));
        using (var user = JsonDocument.Parse(await portalB.Http.GetStringAsync(new Uri($"/api/users/{id}", UriKind.Relative)).WaitAsync(cts.Token)))
        {
            Assert.True(user.RootElement.GetProperty("lastSeen").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(-1));
        }
        using (var garbage = await portalA.Http.GetAsync(new Uri("/api/users?after=not-a-cursor", UriKind.Relative)).WaitAsync(cts.Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        }

        await LookupRequestsAsync(portalB, nodeU, commit, cts.Token);
    }

    /// <summary>POST /api/users (JSON and the search page's form), malformed input, and the per-address limit, on B.</summary>
    private static async Task LookupRequestsAsync(PortalProcess portalB, GitTorrentNode nodeU, Hash20 commit, CancellationToken cancellationToken)
    {
        using var v = UserIdentity.Generate();
        var profile = new UserProfile { Name = "V" };
        profile.Repositories["asked-for"] = new(StringComparer.Ordinal) { ["HEAD"] = commit, ["refs/heads/main"] = commit };
        await nodeU.PublishProfileAsync(v, profile, 1, cancellationToken);
        var id = v.UserId.ToString();
        using (var accepted = await portalB.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { id }, cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        Assert.True(await WaitUntilAsync(() => DiscoveryProbe.ListsAsync(portalB, id, "asked-for"), Listed, cancellationToken),
            $"B did not list the user asked for:\n{portalB.Runner.Describe()}");
        Assert.True(await DiscoveryProbe.CountAsync(portalB, "request", "stored") >= 1);

        foreach (var body in new object[] { new { id = "not-an-id" }, new { id = id[..39] }, new { id = "gittorrent://somename/repo" }, new { id = "gittorrent://example.org/a/b" }, new { user = id } })
        {
            using var refused = await portalB.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), body, cancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("error", await refused.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        }
        using (var notJson = await portalB.Http.PostAsync(new Uri("/api/users", UriKind.Relative), new StringContent("{{{", System.Text.Encoding.UTF8, "application/json"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        }

        // The search page's form: antiforgery token from the page, a gittorrent:// URL, back to the page with the outcome.
        using var browser = BoundClient.Create(portalB.Http.BaseAddress!, IPAddress.Parse("127.0.0.3"), out _);
        var page = await browser.GetStringAsync(new Uri("/search", UriKind.Relative), cancellationToken);
        Assert.Contains("Look up a user by id or gittorrent:// URL", page, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        using (var posted = await browser.PostAsync(new Uri("/api/users", UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["id"] = $"gittorrent://{id}/asked-for" }), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            Assert.Equal($"/search?lookup={id}", posted.Headers.Location?.ToString());
        }
        Assert.Contains("is known here", await browser.GetStringAsync(new Uri($"/search?lookup={id}", UriKind.Relative), cancellationToken), StringComparison.Ordinal);
        using (var forged = await browser.PostAsync(new Uri("/api/users", UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["id"] = id }), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        // An attacker on 127.0.0.2 gets 429 with Retry-After past the per-address limit (20); the honest client does not.
        using var attacker = BoundClient.Create(portalB.Http.BaseAddress!, IPAddress.Parse("127.0.0.2"), out _);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            using var response = await attacker.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)) }, cancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) <= 20, string.Join(",", statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using (var honest = await portalB.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { id }, cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, honest.StatusCode);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="within"/> passes; returns the last answer.</summary>
    internal static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }
            if (clock.Elapsed > within)
            {
                return false;
            }
            await Task.Delay(250, cancellationToken);
        }
    }
}
