using System.Net;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Provenance;

/// <summary>
/// Provenance of a mirror (issue 13): the origin check job compares the origin's refs with what the portal publishes every
/// <c>GitTorrent__OriginCheckInterval</c>; the panel and <c>/api/repos</c> show agrees, differs (which refs) and
/// unreachable (with the reason), each with the time of the check.
/// </summary>
public sealed class ProvenanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    // What a loaded 2-core machine may add to one check interval: a process start of git ls-remote and a page render.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_mirror_shows_differs_after_an_origin_commit_agrees_after_the_sync_and_unreachable_when_the_origin_goes_away()
    {
        using var originRoot = new TempDirectory("provenance-origin");
        using var work = new TempGitRepo();
        work.Commit("README.md", "# Provenance\n");
        TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
        var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);
        var originStopped = false;
        try
        {
            await using var storage = PortalStorage.Sqlite();
            // An hour between syncs: nothing but the explicit sync below brings the origin's new commit in.
            var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org", "--interval", "1h").WaitAsync(Timeout);
            Assert.True(added.ExitCode == 0, added.Describe());
            var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);
            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
                ["GitTorrent__OriginCheckInterval"] = CheckInterval.ToString(),
            }).WaitAsync(Timeout);
            var api = $"/api/repos/{portalId}/org";
            var page = $"/u/{portalId}/org";

            // First sync, then the check right after it: agrees.
            using (var agreed = await portal.WaitForJsonAsync(api, "provenance", p => p.GetProperty("originAgrees").ValueKind == JsonValueKind.True, Timeout))
            {
                var provenance = agreed.RootElement.GetProperty("provenance");
                Assert.Equal(origin.UrlOf("org.git"), provenance.GetProperty("origin").GetString());
                Assert.Empty(provenance.GetProperty("originDiffers").EnumerateArray());
                Assert.Equal(JsonValueKind.String, provenance.GetProperty("originCheckedAt").ValueKind);
            }

            // A commit at the origin, no sync: within one check interval the portal says which ref differs.
            work.Commit("CHANGES.md", "more\n");
            work.Git("push", "-q", Path.Combine(originRoot.Path, "org.git"), "main");
            var pushed = DateTimeOffset.UtcNow;
            using (var differs = await portal.WaitForJsonAsync(api, "provenance", p => p.GetProperty("originAgrees").ValueKind == JsonValueKind.False, CheckInterval + Slack))
            {
                var provenance = differs.RootElement.GetProperty("provenance");
                Assert.Equal(["refs/heads/main"], provenance.GetProperty("originDiffers").EnumerateArray().Select(e => e.GetString()));
                Assert.True(provenance.GetProperty("originCheckedAt").GetDateTimeOffset() >= pushed.AddSeconds(-1));
            }
            var html = await FreshPageAsync(portal, page);
            Assert.Contains("differs: refs/heads/main", html, StringComparison.Ordinal);

            // The sync brings the commit in: agrees again.
            var synced = await PortalProcess.RunCommandAsync(storage, "mirror", "sync", "org").WaitAsync(Timeout);
            Assert.True(synced.ExitCode == 0, synced.Describe());
            using (await portal.WaitForJsonAsync(api, "provenance", p => p.GetProperty("originAgrees").ValueKind == JsonValueKind.True, CheckInterval + Slack))
            {
            }
            html = await FreshPageAsync(portal, page);
            Assert.Contains("<span>agrees</span>", html, StringComparison.Ordinal);

            // The origin goes away: unreachable, with git's reason.
            origin.Dispose();
            originStopped = true;
            using (var gone = await portal.WaitForJsonAsync(api, "provenance", p => p.GetProperty("originError").ValueKind == JsonValueKind.String, CheckInterval + Slack))
            {
                var provenance = gone.RootElement.GetProperty("provenance");
                Assert.Equal(JsonValueKind.False, provenance.GetProperty("originAgrees").ValueKind);
                Assert.Contains("127.0.0.1", provenance.GetProperty("originError").GetString(), StringComparison.Ordinal);
            }
            html = await FreshPageAsync(portal, page);
            Assert.Contains("unreachable: ", html, StringComparison.Ordinal);
        }
        finally
        {
            if (!originStopped)
            {
                origin.Dispose();
            }
        }
    }

    /// <summary>The page rendered now, not a copy from the output cache (repository pages are cached for a few seconds).</summary>
    private static async Task<string> FreshPageAsync(PortalProcess portal, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        using var response = await portal.Http.SendAsync(request).WaitAsync(Timeout);
        return await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
    }
}
