using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Tests.Admin;

/// <summary>The admin area over plain HTTP (no browser), and org mirrors of a real smart-HTTP origin.</summary>
public sealed class AdminAndMirrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [MemberData(nameof(PortalStorage.Providers), MemberType = typeof(PortalStorage))]
    public async Task AdminAreaAndItsEndpointsRefuseAnyoneButASignedInAdmin(string provider)
    {
        await using var storage = PortalStorage.For(provider);
        var created = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", "root").WaitAsync(Timeout);
        Assert.True(created.ExitCode == 0, created.Describe());
        var password = Assert.Single(created.StandardOutput, l => l.StartsWith("One-time password: ", StringComparison.Ordinal))["One-time password: ".Length..];
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);

        using var anonymous = NewClient(portal, out _);
        using (var page = await anonymous.GetAsync(new Uri("/admin", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Found, page.StatusCode);
            Assert.StartsWith("/admin/login", page.Headers.Location?.PathAndQuery ?? page.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using (var list = await anonymous.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        }

        using (var add = await anonymous.PostAsJsonAsync(new Uri("/api/admin/mirrors", UriKind.Relative), new { originUrl = "https://example.invalid/a.git" }).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, add.StatusCode);
        }

        using (var form = await anonymous.PostAsync(new Uri("/admin", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
               {
                   ["_handler"] = "add-mirror", ["Input.OriginUrl"] = "https://example.invalid/b.git",
               })).WaitAsync(Timeout))
        {
            Assert.NotEqual(HttpStatusCode.OK, form.StatusCode);
        }

        // Wrong password: refused, no cookie.
        using var attacker = NewClient(portal, out var attackerCookies);
        var wrong = await AdminSession.SubmitFormAsync(attacker, "/admin/login", "admin-login", new() { ["Input.UserName"] = "root", ["Input.Password"] = password + "x" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("Wrong name or password", wrong.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(attackerCookies.GetCookies(portal.Http.BaseAddress!), c => c.Name == "gittorrent_admin");

        // The one-time password only allows changing it.
        using var admin = NewClient(portal, out _);
        var login = await AdminSession.SubmitFormAsync(admin, "/admin/login", "admin-login", new() { ["Input.UserName"] = "root", ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Found, login.Status);
        Assert.EndsWith("/admin/password", login.Location, StringComparison.Ordinal);
        using (var list = await admin.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        }

        using (var page = await admin.GetAsync(new Uri("/admin", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        }

        var tooShort = await AdminSession.SubmitFormAsync(admin, "/admin/password", "admin-password", new() { ["Input.Current"] = password, ["Input.Next"] = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.Status);
        var changed = await AdminSession.SubmitFormAsync(admin, "/admin/password", "admin-password", new() { ["Input.Current"] = password, ["Input.Next"] = "a much better password" });
        Assert.Equal(HttpStatusCode.Found, changed.Status);

        var home = await admin.GetStringAsync(new Uri("/admin", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Contains("Add a mirror", home, StringComparison.Ordinal);
        using (var add = await admin.PostAsJsonAsync(new Uri("/api/admin/mirrors", UriKind.Relative),
                   new { originUrl = "http://127.0.0.1:1/api-made.git", interval = "1h" }).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        }

        var viaForm = await AdminSession.SubmitFormAsync(admin, "/admin", "add-mirror",
            new() { ["Input.OriginUrl"] = "http://127.0.0.1:1/form-made.git", ["Input.Interval"] = "2h" });
        Assert.Equal(HttpStatusCode.OK, viaForm.Status);
        Assert.Contains("Added mirror form-made", viaForm.Body, StringComparison.Ordinal);

        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            var names = await db.Mirrors.AsNoTracking().Select(m => m.Name).OrderBy(n => n).ToListAsync().WaitAsync(Timeout);
            Assert.Equal(["api-made", "form-made"], names);
            var hash = await db.PortalAdmins.AsNoTracking().SingleAsync().WaitAsync(Timeout);
            Assert.False(hash.MustChangePassword);
        }

        // The admin API's success paths: the list shows what was added, a sync can be asked for, a bad interval is refused.
        var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);
        using (var list = await admin.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync().WaitAsync(Timeout));
            var mirrors = json.RootElement.EnumerateArray().OrderBy(m => m.GetProperty("name").GetString(), StringComparer.Ordinal).ToList();
            Assert.Equal(2, mirrors.Count);
            Assert.Equal("api-made", mirrors[0].GetProperty("name").GetString());
            Assert.Equal("http://127.0.0.1:1/api-made.git", mirrors[0].GetProperty("originUrl").GetString());
            Assert.Equal("1h", mirrors[0].GetProperty("interval").GetString());
            Assert.Equal($"/u/{portalId}/api-made", mirrors[0].GetProperty("url").GetString());
            Assert.Equal("2h", mirrors[1].GetProperty("interval").GetString());
        }

        using (var badInterval = await admin.PostAsJsonAsync(new Uri("/api/admin/mirrors", UriKind.Relative),
                   new { originUrl = "http://127.0.0.1:1/other.git", interval = "soon" }).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badInterval.StatusCode);
        }

        using (var sync = await admin.PostAsync(new Uri("/api/admin/mirrors/api-made/sync", UriKind.Relative), null).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Accepted, sync.StatusCode);
        }

        using (var missing = await admin.PostAsync(new Uri("/api/admin/mirrors/no-such-mirror/sync", UriKind.Relative), null).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // Logout ends the session: the same client is refused afterwards.
        var token = await AdminSession.FormTokenAsync(admin, "/admin");
        var logout = await AdminSession.PostFormAsync(admin, "/admin/logout", "logout", token, new());
        Assert.Equal(HttpStatusCode.Redirect, logout.Status);
        Assert.Equal("/", logout.Location);
        using (var after = await admin.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(PortalStorage.Providers), MemberType = typeof(PortalStorage))]
    public async Task MirrorOfALocalOriginAppearsWithinOneIntervalAndIsCloneable(string provider)
    {
        using var originRoot = new TempDirectory("origin");
        using var work = new TempGitRepo();
        var first = work.Commit("README.md", "# Org project\n").ToString();
        work.Git("branch", "feature");
        TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
        using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);

        await using var storage = PortalStorage.For(provider);
        var interval = TimeSpan.FromSeconds(5);
        var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org-project", "--interval", "5s").WaitAsync(Timeout);
        Assert.True(added.ExitCode == 0, added.Describe());
        var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);

        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?> { ["GitTorrent__MirrorPollInterval"] = "00:00:00.500" }).WaitAsync(Timeout);
        await portal.WaitForPageAsync($"/u/{portalId}/org-project", first[..12], interval + TimeSpan.FromSeconds(15));
        var html = await portal.Http.GetStringAsync(new Uri($"/u/{portalId}/org-project", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Contains("Org project", html, StringComparison.Ordinal);
        Assert.Contains($"gittorrent://{portalId}/org-project", html, StringComparison.Ordinal);
        Assert.Contains($"gittorrent://{origin.Authority}/git/org", html, StringComparison.Ordinal);

        var portalUrl = new Uri(portal.Http.BaseAddress!, $"/{portalId}/org-project.git").ToString();
        using var clones = new TempDirectory("mirror-clone");
        Assert.Contains("refs/heads/feature", TempGitRepo.Run(clones.Path, "ls-remote", portalUrl), StringComparison.Ordinal);

        // A new commit at the origin, and a branch deleted there, show up at the next scheduled sync (no sync asked for).
        var second = work.Commit("CHANGES.md", "more\n").ToString();
        work.Git("push", "-q", Path.Combine(originRoot.Path, "org.git"), "main", ":feature");
        await portal.WaitForPageAsync($"/u/{portalId}/org-project/commits/main", second[..12], interval + TimeSpan.FromSeconds(10));
        var refs = TempGitRepo.Run(clones.Path, "ls-remote", portalUrl);
        Assert.Contains($"{second}\trefs/heads/main", refs, StringComparison.Ordinal);
        Assert.DoesNotContain("refs/heads/feature", refs, StringComparison.Ordinal);

        // Cloneable from the portal; the bytes it served are counted.
        var target = Path.Combine(clones.Path, "c");
        await Task.Run(() => TempGitRepo.Run(clones.Path, "clone", "-q", portalUrl, target)).WaitAsync(Timeout);
        Assert.Equal(second, TempGitRepo.Run(target, "rev-parse", "HEAD").Trim());
        TempGitRepo.Run(target, "fsck", "--full");

        // The portal's own profile lists the mirror, signed by its key.
        // The store moves first; the profile is re-signed when the sync job has finished (after its measuring and gc).
        string? signedMain = null;
        var signedBy = DateTime.UtcNow + Timeout;
        while (signedMain != second && DateTime.UtcNow < signedBy)
        {
            using var user = JsonDocument.Parse(await portal.Http.GetStringAsync(new Uri($"/api/users/{portalId}", UriKind.Relative)).WaitAsync(Timeout));
            signedMain = user.RootElement.GetProperty("profile").GetProperty("repositories").GetProperty("org-project").GetProperty("refs/heads/main").GetString();
            if (signedMain != second)
            {
                await Task.Delay(200);
            }
        }
        Assert.Equal(second, signedMain);
        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            var row = await db.Users.AsNoTracking().SingleAsync(u => u.UserId == portalId).WaitAsync(Timeout);
            Assert.True(GitTorrent.Engine.Dht.Items.Bep44.VerifyMutable(row.PublicKey, [], row.Seq, row.RawProfile, row.Signature));
            var mirror = await db.Mirrors.AsNoTracking().SingleAsync().WaitAsync(Timeout);
            Assert.Null(mirror.LastError);
            Assert.NotNull(mirror.LastSync);
            Assert.True(mirror.BytesServed > 0, "bytes served were not counted");
        }
    }

    private static HttpClient NewClient(PortalProcess portal, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        return new HttpClient(handler) { BaseAddress = portal.Http.BaseAddress, Timeout = Timeout };
    }
}
