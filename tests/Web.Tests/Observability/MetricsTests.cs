using System.Net;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Observability;

/// <summary><c>/metrics</c> (issue 13): Prometheus text that a strict parser accepts, counters that move, loopback only by default.</summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_and_their_counters_move_with_activity()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var dht = await PrivateDht.StartAsync(live: 4, cancellationToken: cts.Token);
        try
        {
            using var originRoot = new TempDirectory("metrics-origin");
            using var work = new TempGitRepo();
            work.Commit("README.md", "# Metrics\n");
            TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
            using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);
            await using var storage = PortalStorage.Sqlite();
            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
                ["GitTorrent__OriginCheckInterval"] = "00:00:01",
                ["GitTorrent__Bootstrap"] = dht.Bootstrap,
                ["GitTorrent__TrustedProxies"] = "127.0.0.1",
            }).WaitAsync(Timeout);

            var before = await ScrapeAsync(portal);
            Assert.Contains("# TYPE gittorrent_dht_nodes gauge", before.Text, StringComparison.Ordinal);

            // A client the proxy says is on the internet does not see them (the default allows loopback only).
            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative)))
            {
                request.Headers.Add("X-Forwarded-For", "203.0.113.5");
                using var refused = await portal.Http.SendAsync(request).WaitAsync(Timeout);
                Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
                Assert.DoesNotContain("gittorrent_", await refused.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
            }

            // Activity: a mirror (sync and origin check jobs), its page and a smart-HTTP clone, the DHT node's traffic.
            var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org", "--interval", "1h").WaitAsync(Timeout);
            Assert.True(added.ExitCode == 0, added.Describe());

            var deadline = DateTime.UtcNow + Timeout;
            (string Text, IReadOnlyDictionary<string, double> Series) after;
            while (true)
            {
                using (var page = await portal.Http.GetAsync(new Uri("/swarm", UriKind.Relative)).WaitAsync(Timeout))
                {
                    Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                }
                after = await ScrapeAsync(portal);
                if (Value(after.Series, "gittorrent_jobs_runs_total", "kind=\"origin-check\"") > 0
                    && Value(after.Series, "gittorrent_jobs_runs_total", "kind=\"mirror-sync\"") > 0
                    && Value(after.Series, "gittorrent_jobs_duration_seconds_total", "kind=\"mirror-sync\"") > 0
                    && Value(after.Series, "gittorrent_dht_queries_sent_total") > Value(before.Series, "gittorrent_dht_queries_sent_total")
                    && Value(after.Series, "http_server_request_duration_seconds_count", "http_route=\"/swarm\"") > 0)
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, "the job and DHT counters did not move:\n" + after.Text);
                await Task.Delay(300);
            }
            Assert.True(Value(after.Series, "gittorrent_dht_nodes") > 0, after.Text);
            Assert.Contains("# TYPE gittorrent_jobs_runs_total counter", after.Text, StringComparison.Ordinal);
        }
        finally
        {
            await dht.DisposeAsync();
        }
    }

    /// <summary>The sum of the series named <paramref name="name"/> that carry <paramref name="label"/> (any other labels too).</summary>
    private static double Value(IReadOnlyDictionary<string, double> series, string name, string? label = null) =>
        series.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal))
                          && (label is null || s.Key.Contains(label, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    private static async Task<(string Text, IReadOnlyDictionary<string, double> Series)> ScrapeAsync(PortalProcess portal)
    {
        using var response = await portal.Http.GetAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return (text, PrometheusText.Parse(text).Series);
    }
}
