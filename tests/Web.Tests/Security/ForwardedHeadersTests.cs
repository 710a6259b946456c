using GitTorrent.TestSupport;
using System.Net;

namespace GitTorrent.Web.Tests.Security;

/// <summary>
/// Behind a reverse proxy (GitTorrent__TrustedProxies): only a listed proxy may name the client and the scheme. Per-address
/// sign-in limits then count the forwarded clients, HTTPS through the proxy gives Secure cookies and HSTS; anyone else's
/// X-Forwarded-* headers change nothing.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WithHttpsRedirectPlainHttpIsSentToHttpsExceptHealthChecks()
    {
        await using var storage = PortalStorage.Sqlite();
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__TrustedProxies"] = "127.0.0.1",
            ["GitTorrent__HttpsRedirect"] = "true",
        }).WaitAsync(Timeout);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal.Http.BaseAddress };

        // Plain HTTP (the proxy says so, or says nothing): 308 to the same path and query over https, port 443.
        foreach (var proto in new[] { "http", null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/search?q=alice", UriKind.Relative));
            request.Headers.Host = "portal.example";
            if (proto is not null)
            {
                request.Headers.Add("X-Forwarded-Proto", proto);
            }
            using var response = await http.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
            Assert.Equal("https://portal.example/search?q=alice", response.Headers.Location?.ToString());
        }

        // HTTPS through the trusted proxy: served, with HSTS.
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/search?q=alice", UriKind.Relative)))
        {
            request.Headers.Host = "portal.example";
            request.Headers.Add("X-Forwarded-Proto", "https");
            using var response = await http.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        }

        // The proxy's health checks over plain HTTP are answered, not redirected.
        using (var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task OnlyTheTrustedProxyNamesClientsAndHttps()
    {
        await using var storage = PortalStorage.Sqlite();
        var oneTime = await AdminSession.CreateAsync(storage, "root");
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__TrustedProxies"] = "127.0.0.1",
            ["GitTorrent__Admin__AttemptsPerAddress"] = "10",
        }).WaitAsync(Timeout);
        var baseAddress = portal.Http.BaseAddress!;

        // An attacker behind the proxy (203.0.113.7) uses up its budget...
        using var forwardedAttacker = BoundClient.Create(baseAddress, "127.0.0.1", out _);
        forwardedAttacker.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(HttpStatusCode.TooManyRequests, await GuessUntilRefusedAsync(forwardedAttacker, 12));

        // ...while another client behind the same proxy signs in, over HTTPS as the proxy says: Secure cookie and HSTS.
        // (Cookies by hand: a Secure cookie is not sent back over this test's plain HTTP by a cookie container.)
        using var honest = BoundClient.Create(baseAddress, IPAddress.Loopback, out _, useCookies: false);
        honest.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.1");
        honest.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        honest.DefaultRequestHeaders.Host = "portal.example";
        string antiforgery, token;
        using (var page = await honest.GetAsync(new Uri("/admin/login", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.True(page.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS over forwarded HTTPS");
            Assert.Contains("max-age=31536000", Assert.Single(hsts), StringComparison.Ordinal);
            var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            antiforgery = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
            var html = await page.Content.ReadAsStringAsync().WaitAsync(Timeout);
            var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
            token = WebUtility.HtmlDecode(match.Groups[1].Value);
        }

        string setCookie;
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/login", UriKind.Relative)))
        {
            request.Headers.Add("Cookie", antiforgery);
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "admin-login", ["__RequestVerificationToken"] = token, ["Input.UserName"] = "root", ["Input.Password"] = oneTime,
            });
            using var response = await honest.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            setCookie = string.Join("\n", response.Headers.GetValues("Set-Cookie"));
        }

        var adminCookie = Assert.Single(setCookie.Split('\n'), c => c.StartsWith("gittorrent_admin=", StringComparison.Ordinal));
        Assert.Contains("secure", adminCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", adminCookie, StringComparison.OrdinalIgnoreCase);

        // Not a listed proxy: its forwarded addresses are ignored (every guess counts against 127.0.0.2) and so is its scheme.
        using var spoofer = BoundClient.Create(baseAddress, "127.0.0.2", out _);
        spoofer.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        spoofer.DefaultRequestHeaders.Host = "portal.example";
        var spoofToken = await AdminSession.FormTokenAsync(spoofer, "/admin/login").WaitAsync(Timeout);
        var refused = false;
        for (var i = 0; i < 12 && !refused; i++)
        {
            var (status, _, _) = await AdminSession.PostFormAsync(spoofer, "/admin/login", "admin-login", spoofToken,
                new() { ["Input.UserName"] = $"nobody{i}", ["Input.Password"] = "guess" },
                r => r.Headers.Add("X-Forwarded-For", $"192.0.2.{i + 1}")).WaitAsync(Timeout);
            refused = status == HttpStatusCode.TooManyRequests;
        }

        Assert.True(refused, "forwarded addresses from an untrusted sender were believed");
        using (var page = await spoofer.GetAsync(new Uri("/", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.False(page.Headers.Contains("Strict-Transport-Security"));
        }
    }

    /// <summary>Wrong passwords for a made-up name until one is refused with 429; the last status.</summary>
    private static async Task<HttpStatusCode> GuessUntilRefusedAsync(HttpClient client, int attempts)
    {
        var token = await AdminSession.FormTokenAsync(client, "/admin/login").WaitAsync(Timeout);
        var status = HttpStatusCode.OK;
        for (var i = 0; i < attempts && status != HttpStatusCode.TooManyRequests; i++)
        {
            (status, _, _) = await AdminSession.PostFormAsync(client, "/admin/login", "admin-login", token,
                new() { ["Input.UserName"] = $"guess{i}", ["Input.Password"] = "wrong" }).WaitAsync(Timeout);
        }

        return status;
    }
}
