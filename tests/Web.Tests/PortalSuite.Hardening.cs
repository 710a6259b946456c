using GitTorrent.TestSupport;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Tests;

/// <summary>Issue 11 on both providers: sign-in limits and lockout (persisted), sessions revoked, health details.</summary>
public abstract partial class PortalSuite
{
    /// <summary>
    /// 1,000 wrong passwords from 127.0.0.2 are cut off (429 from the per-address limit and the lockout) after a handful
    /// of password hashes, while the admin signs in from 127.0.0.1; the lockout is in the database, so it holds after a
    /// restart (no hash computed for the attacker there either).
    /// </summary>
    [Fact]
    public async Task SignInFloodIsCutOffCheaplyWhileTheAdminSignsInAndTheLockoutSurvivesARestart()
    {
        await using var storage = CreateStorage();
        var oneTime = await AdminSession.CreateAsync(storage, "root");
        var settings = new Dictionary<string, string?> { ["GitTorrent__Admin__AttemptsPerAddress"] = "10" };
        var portal = await PortalProcess.StartAsync(storage, settings).WaitAsync(Timeout);
        try
        {
            var baseAddress = portal.Http.BaseAddress!;
            using var admin = BoundClient.Create(baseAddress, "127.0.0.1", out _);
            await AdminSession.FirstSignInAsync(admin, "root", oneTime).WaitAsync(Timeout);
            var hashesBefore = await AdminSession.CounterAsync(admin, PortalCounters.PasswordHashes);

            using var attacker = BoundClient.Create(baseAddress, "127.0.0.2", out _);
            var token = await AdminSession.FormTokenAsync(attacker, "/admin/login").WaitAsync(Timeout);
            var statuses = new Dictionary<HttpStatusCode, int>();
            using var parallel = new SemaphoreSlim(8);
            var attempts = Enumerable.Range(0, 1000).Select(async i =>
            {
                await parallel.WaitAsync().WaitAsync(Timeout);
                try
                {
                    var (status, _, _) = await AdminSession.PostFormAsync(attacker, "/admin/login", "admin-login", token,
                        new() { ["Input.UserName"] = "root", ["Input.Password"] = $"guess {i}" }).WaitAsync(Timeout);
                    lock (statuses)
                    {
                        statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    }
                }
                finally
                {
                    parallel.Release();
                }
            });
            await Task.WhenAll(attempts).WaitAsync(Timeout);

            var summary = string.Join(", ", statuses.Select(s => $"{(int)s.Key}: {s.Value}"));
            Assert.True(statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests) >= 990, summary);
            Assert.True(statuses.Keys.All(s => s is HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized), summary);
            // At most the per-address budget was hashed, not 1,000 (the lockout stops it after 5 wrong ones).
            var hashed = await AdminSession.CounterAsync(admin, PortalCounters.PasswordHashes) - hashesBefore;
            Assert.InRange(hashed, 1, 10);
            Assert.True(await AdminSession.CounterAsync(admin, PortalCounters.SignInRefusedPerAddress) >= 990);

            // The honest admin, from another address, signs in meanwhile (a fresh session).
            using var honest = BoundClient.Create(baseAddress, "127.0.0.1", out _);
            var login = await AdminSession.SignInAsync(honest, "root", AdminSession.Password).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Found, login.Status);
            Assert.EndsWith("/admin", login.Location, StringComparison.Ordinal);

            await using (var db = storage.OpenFactory().CreateDbContext())
            {
                var row = await db.AdminSignInFailures.AsNoTracking().SingleAsync().WaitAsync(Timeout);
                Assert.Equal(("root", "127.0.0.2"), (row.UserName, row.Address));
                Assert.True(row.LockedUntil > DateTimeOffset.UtcNow);
            }

            // A restart forgets the in-memory limits but not the lockout: the attacker's next try is refused unhashed.
            await portal.StopAsync().WaitAsync(Timeout);
            await portal.DisposeAsync();
            portal = await PortalProcess.StartAsync(storage, settings).WaitAsync(Timeout);
            using var admin2 = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.1", out _);
            Assert.Equal(HttpStatusCode.Found, (await AdminSession.SignInAsync(admin2, "root", AdminSession.Password).WaitAsync(Timeout)).Status);
            var hashesAfterRestart = await AdminSession.CounterAsync(admin2, PortalCounters.PasswordHashes);
            using var attacker2 = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.2", out _);
            var again = await AdminSession.SignInAsync(attacker2, "root", "one more guess").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.TooManyRequests, again.Status);
            Assert.Contains("Too many failed sign-ins", again.Body, StringComparison.Ordinal);
            Assert.Equal(hashesAfterRestart, await AdminSession.CounterAsync(admin2, PortalCounters.PasswordHashes));
            Assert.Equal(1, await AdminSession.CounterAsync(admin2, PortalCounters.SignInRefusedLockedOut));
        }
        finally
        {
            await portal.DisposeAsync();
        }
    }

    /// <summary>A password change renews the security stamp: the admin's other session is signed out at its next request.</summary>
    [Fact]
    public async Task PasswordChangeSignsOutTheOtherSessions()
    {
        await using var storage = CreateStorage();
        var oneTime = await AdminSession.CreateAsync(storage, "root");
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        var baseAddress = portal.Http.BaseAddress!;
        using var first = BoundClient.Create(baseAddress, "127.0.0.1", out _);
        await AdminSession.FirstSignInAsync(first, "root", oneTime).WaitAsync(Timeout);
        using var second = BoundClient.Create(baseAddress, "127.0.0.1", out var secondCookies);
        Assert.Equal(HttpStatusCode.Found, (await AdminSession.SignInAsync(second, "root", AdminSession.Password).WaitAsync(Timeout)).Status);
        using (var ok = await second.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var changed = await AdminSession.SubmitFormAsync(first, "/admin/password", "admin-password",
            new() { ["Input.Current"] = AdminSession.Password, ["Input.Next"] = "an even better password" }).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Found, changed.Status);

        using (var revoked = await second.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        Assert.DoesNotContain(secondCookies.GetCookies(baseAddress), c => c.Name == "gittorrent_admin" && !c.Expired && c.Value.Length > 0);
        using (var still = await first.GetAsync(new Uri("/api/admin/mirrors", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        Assert.Equal(1, await AdminSession.CounterAsync(first, PortalCounters.SessionsRevoked));
    }

    /// <summary>
    /// <c>/healthz</c> tells anyone the status only; the database's address and the checks' texts are for a signed-in
    /// admin. <c>/readyz</c> also needs the migrations to be current: a migration missing from the history is 503.
    /// </summary>
    [Fact]
    public async Task HealthDetailsAreForAdminsAndReadyzNeedsCurrentMigrations()
    {
        await using var storage = CreateStorage();
        var oneTime = await AdminSession.CreateAsync(storage, "root");
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        using var admin = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.1", out _);
        await AdminSession.FirstSignInAsync(admin, "root", oneTime).WaitAsync(Timeout);

        var anonymous = await portal.Http.GetStringAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.DoesNotContain("description", anonymous, StringComparison.Ordinal);
        Assert.DoesNotContain(storage.PostgresConnectionString is null ? storage.DataDirectory : "answered", anonymous, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(anonymous))
        {
            Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("dht").GetProperty("status").GetString());
        }

        var detailed = await admin.GetStringAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Contains("answered", detailed, StringComparison.Ordinal);

        using (var ready = await portal.Http.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        string last;
        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            last = db.Database.GetMigrations().Last();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {0}", last).WaitAsync(Timeout);
        }

        using (var notReady = await portal.Http.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            using var json = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync().WaitAsync(Timeout));
            Assert.Equal("Unhealthy", json.RootElement.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
        }

        var why = await admin.GetAsync(new Uri("/readyz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Contains(last, await why.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        using (var health = await portal.Http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }
}
