using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using GitTorrent.Data.Entities;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// Disk bounds of what the portal fetches from the swarm (issue 11 item 6): a user's pack that would exceed the per-user
/// quota is not downloaded (counted, and the repository never arrives) while another user's small repository arrives,
/// and an imported pack is not kept a second time as a seeding copy. <c>/api/admin/stats</c> shows the totals.
/// </summary>
public sealed class SwarmDiskLimitsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private const long Quota = 200_000;

    [Fact]
    public async Task A_pack_over_the_users_quota_is_refused_and_an_imported_pack_is_not_kept_twice()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("swarm-disk");
        await using var swarm = await LoopbackSwarm.StartAsync(Path.Combine(work.Path, "seeder"), cts.Token);
        var seeder = swarm.Seeder;
        {
            using var small = new TempGitRepo();
            var smallTip = small.Commit("README.md", "small\n").ToString();
            using var big = new TempGitRepo();
            File.WriteAllBytes(Path.Combine(big.Root, "noise.bin"), RandomNumberGenerator.GetBytes(400_000)); // incompressible
            big.Git("add", "-A");
            big.Git("-c", "user.name=Bob", "-c", "user.email=b@example.invalid", "commit", "-q", "-m", "big");
            var smallRepository = new ServedRepository("small", small.GitDir);
            var bigRepository = new ServedRepository("big", big.GitDir);
            seeder.SetRepositories([smallRepository, bigRepository]);
            await seeder.AnnounceTipsAsync(cts.Token);
            using var alice = UserIdentity.Generate();
            using var bob = UserIdentity.Generate();
            await seeder.PublishProfileAsync(alice, await ProfileBuilder.BuildAsync([smallRepository], "Alice", null, cts.Token), 10, cts.Token);
            await seeder.PublishProfileAsync(bob, await ProfileBuilder.BuildAsync([bigRepository], "Bob", null, cts.Token), 10, cts.Token);

            await using var storage = PortalStorage.Sqlite();
            var oneTime = await AdminSession.CreateAsync(storage, "root");
            await using (var db = storage.OpenFactory().CreateDbContext())
            {
                foreach (var user in new[] { alice, bob })
                {
                    db.Users.Add(new User
                    {
                        UserId = user.UserId.ToString(), PublicKey = user.PublicKey, RawProfile = [], Signature = [], Seq = 0,
                        FirstSeen = DateTimeOffset.UtcNow, LastSeen = DateTimeOffset.UtcNow,
                    });
                }

                await db.SaveChangesAsync(cts.Token);
            }

            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__Bootstrap"] = swarm.Bootstrap,
                ["GitTorrent__UserQuotaBytes"] = Quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).WaitAsync(Timeout);
            using var admin = BoundClient.Create(portal.Http.BaseAddress!, "127.0.0.1", out _);
            await AdminSession.FirstSignInAsync(admin, "root", oneTime).WaitAsync(Timeout);

            // Alice's small repository arrives; Bob's pack (400 kB) is refused by his quota (200 kB), at least once.
            var deadline = DateTime.UtcNow + Timeout;
            while (!(await ArrivedAsync(portal, alice, "small", smallTip)
                     && await AdminSession.CounterAsync(admin, PortalCounters.DownloadsOverQuota) >= 1))
            {
                Assert.True(DateTime.UtcNow < deadline, $"alice/small never arrived or bob's pack was never refused:\n{portal.Runner.Describe()}");
                await Task.Delay(500);
            }

            Assert.False(Directory.Exists(Path.Combine(storage.DataDirectory, "repos", bob.UserId.ToString(), "big.git")));
            Assert.Contains(portal.Runner.AllOutput, l => l.Contains("does not fit in the download quota", StringComparison.Ordinal));

            // The imported pack lives in alice's repository only: no seeding copy left in the node's downloads.
            var downloads = Path.Combine(storage.DataDirectory, "node", "downloads");
            Assert.Empty(Directory.Exists(downloads) ? Directory.GetFiles(downloads) : []);

            using var stats = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/admin/stats", UriKind.Relative)).WaitAsync(Timeout));
            var disk = stats.RootElement.GetProperty("storage");
            Assert.Equal(Quota, disk.GetProperty("userQuotaBytes").GetInt64());
            Assert.True(disk.GetProperty("storeBytes").GetInt64() > 0);
            var aliceUsage = disk.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("userId").GetString() == alice.UserId.ToString());
            Assert.InRange(aliceUsage.GetProperty("bytes").GetInt64(), 1, Quota);
            var page = await admin.GetStringAsync(new Uri("/admin", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Contains("Repository store", page, StringComparison.Ordinal);
            Assert.Contains(alice.UserId.ToString(), page, StringComparison.Ordinal);
        }
    }

    private static async Task<bool> ArrivedAsync(PortalProcess portal, UserIdentity user, string repository, string tip)
    {
        using var response = await portal.Http.GetAsync(new Uri($"/u/{user.UserId}/{repository}/commits/main", UriKind.Relative)).WaitAsync(Timeout);
        return response.StatusCode == HttpStatusCode.OK
            && (await response.Content.ReadAsStringAsync().WaitAsync(Timeout)).Contains(tip[..12], StringComparison.Ordinal);
    }
}
