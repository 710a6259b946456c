using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Data.Entities;
using GitTorrent.Indexer.Names;
using GitTorrent.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Tests;

/// <summary>The portal process end to end, once per provider (<see cref="SqlitePortalTests"/>, <see cref="PostgresPortalTests"/>).</summary>
public abstract partial class PortalSuite
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private protected abstract PortalStorage CreateStorage();

    [Fact]
    public async Task ServesHomePageAndHealthz()
    {
        await using var storage = CreateStorage();
        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);

        using var home = await portal.Http.GetAsync(new Uri("/", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.Contains("Recently updated users", html, StringComparison.Ordinal);
        // The only user is the portal itself (its own identity, created on first start, publishes its mirrors).
        Assert.Contains("GitTorrent portal", html, StringComparison.Ordinal);
        Assert.Contains("No repositories yet", html, StringComparison.Ordinal);
        // The portal runs its own swarm node (on loopback, alone, in the tests).
        Assert.Contains("packs seeded", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/search\"", html, StringComparison.Ordinal);

        using var missing = await portal.Http.GetAsync(new Uri("/no-such-page", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("<h1>Not found</h1>", await missing.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);

        using var health = await portal.Http.GetAsync(new Uri("/healthz", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.StartsWith("application/json", health.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync().WaitAsync(Timeout));
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", json.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task RestartOnTheSameDataLosesNothingAndReappliesNoMigration()
    {
        await using var storage = CreateStorage();
        await using (var first = await PortalProcess.StartAsync(storage).WaitAsync(Timeout))
        {
            Assert.Contains(first.Runner.AllOutput, l => l.Contains($"Applied {MigrationCount(storage)} migration", StringComparison.Ordinal));
            await first.StopAsync().WaitAsync(Timeout);
        }

        var factory = storage.OpenFactory();
        var userId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        List<string> historyBefore;
        await using (var db = factory.CreateDbContext())
        {
            historyBefore = (await db.Database.GetAppliedMigrationsAsync().WaitAsync(Timeout)).ToList();
            db.Users.Add(new User
            {
                UserId = userId,
                PublicKey = RandomNumberGenerator.GetBytes(32),
                RawProfile = RandomNumberGenerator.GetBytes(100),
                Signature = RandomNumberGenerator.GetBytes(64),
                Seq = 7,
                DisplayName = "Persistent Pat",
                FirstSeen = DateTimeOffset.UtcNow,
                LastSeen = DateTimeOffset.UtcNow,
                Repositories = [new Repository { UserId = userId, Name = "kept-repo", LastUpdated = DateTimeOffset.UtcNow }],
            });
            await db.SaveChangesAsync().WaitAsync(Timeout);
        }

        await using (var second = await PortalProcess.StartAsync(storage).WaitAsync(Timeout))
        {
            Assert.Contains(second.Runner.AllOutput, l => l.Contains("is up to date", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Runner.AllOutput, l => l.Contains("Applied", StringComparison.Ordinal));
            var html = await second.Http.GetStringAsync(new Uri("/", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains("Persistent Pat", html, StringComparison.Ordinal);
            Assert.Contains("kept-repo", html, StringComparison.Ordinal);

            // Search reads the same rows: display name (any case), user id prefix, repository name.
            var byName = await second.Http.GetStringAsync(new Uri("/search?q=PERSISTENT", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains("Persistent Pat", byName, StringComparison.Ordinal);
            var byId = await second.Http.GetStringAsync(new Uri($"/search?q={userId[..8]}", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains(userId, byId, StringComparison.Ordinal);
            var byRepository = await second.Http.GetStringAsync(new Uri("/search?q=pt-rep", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains("kept-repo", byRepository, StringComparison.Ordinal);
            var none = await second.Http.GetStringAsync(new Uri("/search?q=zzzz-nothing", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains("Nothing matches", none, StringComparison.Ordinal);
            await second.StopAsync().WaitAsync(Timeout);
        }

        await using (var db = factory.CreateDbContext())
        {
            Assert.Equal(historyBefore, await db.Database.GetAppliedMigrationsAsync().WaitAsync(Timeout));
            var user = await db.Users.AsNoTracking().Include(u => u.Repositories).SingleAsync(u => u.UserId == userId).WaitAsync(Timeout);
            Assert.Equal(7, user.Seq);
            Assert.Equal("kept-repo", Assert.Single(user.Repositories).Name);
        }
    }

    /// <summary>
    /// <c>/api/names/{name}</c> is the indexer's <see cref="NameLookup"/> at the indexed tip, not the stored verdict
    /// columns: rows stored as settled and valid show as pending while the tip gives them fewer than 6 confirmations
    /// (the default on main), then settling, then settled once block h + 144 is final; each answer equals the lookup's
    /// own, and <c>gittorrent resolve</c> reads the same owner and status.
    /// </summary>
    [Fact]
    public async Task NameApiReportsPendingSettlingAndSettledAsNameLookupDoes()
    {
        await using var storage = CreateStorage();
        var factory = await storage.MigrateAsync(Timeout);
        var carol = PortalTestData.RandomId();
        var mallory = PortalTestData.RandomId();
        await using (var db = factory.CreateDbContext())
        {
            // Both stored as valid and settled: a stale cache the endpoint must not repeat.
            foreach (var (key, height, txid) in new[] { (carol, 500, 'a'), (mallory, 502, 'b') })
            {
                db.NameRegistrations.Add(new NameRegistration
                {
                    Name = "carol", Kind = NameRegistrationKind.Claim, KeyHash = key, Txid = new string(txid, 64), Vout = 0,
                    BlockHeight = height, BlockHash = new string('e', 64), TxIndex = 1, Status = NameRegistrationStatus.Settled,
                    Valid = true, Reason = NameEntryReasons.Owner,
                });
            }
            db.ChainStates.Add(new ChainState { Chain = "main", Height = 500, Hash = new string('f', 64), UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync().WaitAsync(Timeout);
        }

        await using var portal = await PortalProcess.StartAsync(storage).WaitAsync(Timeout);
        var lookup = new NameLookup(new EfNameStore(factory, "main", 6, TimeProvider.System), 6);
        var gittorrent = RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");
        var env = new Dictionary<string, string?>
        {
            ["GITTORRENT_HOME"] = Path.Combine(storage.DataDirectory, "cli-home"),
            ["GITTORRENT_RESOLVER"] = portal.Http.BaseAddress!.ToString(),
        };
        // (tip, status, owner, valid of carol's and mallory's CLAIM)
        foreach (var (tip, status, owner, valid) in new (int, string, string?, bool[])[]
        {
            (500, "pending", null, [false, false]),    // 1 confirmation: nothing final
            (505, "settling", carol, [true, false]),   // carol's CLAIM final, mallory's (4 confirmations) still pending
            (648, "settling", carol, [true, false]),   // block 644 (= 500 + 144) has 5 confirmations
            (649, "settled", carol, [true, false]),    // and now 6
        })
        {
            await using (var db = factory.CreateDbContext())
            {
                var state = await db.ChainStates.SingleAsync(c => c.Chain == "main").WaitAsync(Timeout);
                state.Height = tip;
                await db.SaveChangesAsync().WaitAsync(Timeout);
            }

            using var response = await portal.Http.GetAsync(new Uri("/api/names/carol", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var api = JsonNode.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout))!;
            var expected = JsonSerializer.SerializeToNode(NameApiResponse.From((await lookup.ResolveAsync("carol", CancellationToken.None).WaitAsync(Timeout))!));
            Assert.True(JsonNode.DeepEquals(expected, api), $"tip {tip}: the API said {api.ToJsonString()}, the lookup {expected!.ToJsonString()}");
            Assert.Equal((status, owner), (api["status"]!.GetValue<string>(), api["owner"]?.GetValue<string>()));
            var entries = api["entries"]!.AsArray();
            Assert.Equal(valid, entries.Select(e => e!["valid"]!.GetValue<bool>()));
            Assert.Equal(tip < 505 ? NameEntryReasons.Unconfirmed : NameEntryReasons.Owner, entries[0]!["reason"]!.GetValue<string>());
            Assert.Equal(tip < 507 ? NameEntryReasons.Unconfirmed : NameEntryReasons.Outbid, entries[1]!["reason"]!.GetValue<string>());

            var resolved = await ProcessRunner.RunAsync("dotnet", [gittorrent, "resolve", "carol"], Timeout, env).WaitAsync(Timeout);
            if (owner is null)
            {
                Assert.Equal(1, resolved.ExitCode);
                Assert.Contains(resolved.StandardError, l => l.Contains("'carol' is not registered to anyone (status pending)", StringComparison.Ordinal));
            }
            else
            {
                Assert.True(resolved.ExitCode == 0, resolved.Describe());
                Assert.Equal([owner], resolved.StandardOutput);
                Assert.Equal(status == "settled", !resolved.StandardError.Any(l => l.Contains("not settled yet", StringComparison.Ordinal)));
            }
        }

        using var never = await portal.Http.GetAsync(new Uri("/api/names/dave", UriKind.Relative)).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, never.StatusCode);
    }

    [Fact]
    public async Task MigrateCommandAppliesOnceThenNothing()
    {
        await using var storage = CreateStorage();
        var first = await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Timeout);
        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.Contains(first.AllOutput, l => l.Contains($"Applied {MigrationCount(storage)} migration", StringComparison.Ordinal));

        var second = await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Timeout);
        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.Contains(second.AllOutput, l => l.Contains("is up to date", StringComparison.Ordinal));

        await using var db = storage.OpenFactory().CreateDbContext();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task AdminCreateUserStoresAHashAndPrintsAOneTimePassword()
    {
        await using var storage = CreateStorage();
        var created = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", "root-admin").WaitAsync(Timeout);
        Assert.True(created.ExitCode == 0, created.Describe());
        var line = Assert.Single(created.StandardOutput, l => l.StartsWith("One-time password: ", StringComparison.Ordinal));
        var password = line["One-time password: ".Length..];
        Assert.Equal(20, password.Length);

        await using (var db = storage.OpenFactory().CreateDbContext())
        {
            var admin = await db.PortalAdmins.AsNoTracking().SingleAsync(a => a.UserName == "root-admin").WaitAsync(Timeout);
            Assert.DoesNotContain(password, admin.PasswordHash, StringComparison.Ordinal);
            Assert.True(admin.MustChangePassword);
            var hasher = new PasswordHasher<PortalAdmin>();
            Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword(admin, admin.PasswordHash, password));
            Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(admin, admin.PasswordHash, password + "x"));
        }

        var again = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", "root-admin").WaitAsync(Timeout);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains(again.StandardError, l => l.Contains("already exists", StringComparison.Ordinal));
    }

    private static int MigrationCount(PortalStorage storage)
    {
        using var db = storage.OpenFactory().CreateDbContext();
        return db.Database.GetMigrations().Count();
    }
}
