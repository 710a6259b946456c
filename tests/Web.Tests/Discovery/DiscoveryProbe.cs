using System.Net;
using System.Text.Json;

namespace GitTorrent.Web.Tests.Discovery;

/// <summary>What a test reads of a portal's discovery: its counters on <c>/metrics</c> and whether it lists a user.</summary>
internal static class DiscoveryProbe
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>gittorrent_discovery_ids_total{source, outcome}</c>.</summary>
    public static async Task<double> CountAsync(PortalProcess portal, string source, string outcome)
    {
        using var response = await portal.Http.GetAsync(new Uri("/metrics", UriKind.Relative)).WaitAsync(RequestTimeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = PrometheusText.Parse(await response.Content.ReadAsStringAsync().WaitAsync(RequestTimeout)).Series;
        return series.Where(s => s.Key.StartsWith("gittorrent_discovery_ids_total{", StringComparison.Ordinal)
                && s.Key.Contains($"source=\"{source}\"", StringComparison.Ordinal) && s.Key.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
            .Sum(s => s.Value);
    }

    /// <summary>Whether <c>/api/users/{id}</c> answers 200 and the user page lists <paramref name="repository"/>.</summary>
    public static async Task<bool> ListsAsync(PortalProcess portal, string id, string repository)
    {
        using var user = await portal.Http.GetAsync(new Uri($"/api/users/{id}", UriKind.Relative)).WaitAsync(RequestTimeout);
        if (user.StatusCode != HttpStatusCode.OK)
        {
            return false;
        }
        using var page = await portal.Http.GetAsync(new Uri($"/u/{id}", UriKind.Relative)).WaitAsync(RequestTimeout);
        return page.StatusCode == HttpStatusCode.OK
            && (await page.Content.ReadAsStringAsync().WaitAsync(RequestTimeout)).Contains($"/u/{id}/{repository}", StringComparison.Ordinal);
    }

    /// <summary>Every id of <c>/api/users</c>, page by page (<paramref name="limit"/> each), in feed order.</summary>
    public static async Task<List<string>> FeedAsync(PortalProcess portal, int limit)
    {
        var ids = new List<string>();
        string? next = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var url = $"/api/users?limit={limit}" + (next is null ? "" : "&after=" + Uri.EscapeDataString(next));
            using var document = JsonDocument.Parse(await portal.Http.GetStringAsync(new Uri(url, UriKind.Relative)).WaitAsync(RequestTimeout));
            var users = document.RootElement.GetProperty("users").EnumerateArray().ToList();
            Assert.True(users.Count <= limit);
            ids.AddRange(users.Select(u => u.GetProperty("id").GetString()!));
            next = document.RootElement.GetProperty("next").GetString();
            if (next is null)
            {
                return ids;
            }
        }
        throw new InvalidOperationException("the feed never ended");
    }
}
