using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GitTorrent.Data.Entities;
using GitTorrent.Data.Jobs;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Tests.Deploy;

/// <summary>
/// Issue acceptance on loopback: three portal processes over one PostgreSQL behind nginx (the shipped configuration),
/// a private DHT with departed nodes, a slow origin. Background work is shared through leases (from the job records:
/// each mirror and each profile once per interval, never two runs at once), the portal profile's seq never repeats,
/// <c>kill -9</c> of the replica syncing a mirror costs only the requests it was serving while 50 clients browse and
/// clone through nginx, another replica finishes the sync, a signed-in admin stays signed in on every replica, and a
/// fourth replica started later serves every repository from its siblings over the swarm.
/// </summary>
public sealed partial class ReplicaSetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan MirrorInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CrawlInterval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Replicas_share_background_work_survive_a_kill_of_the_syncing_replica_and_a_new_replica_fills_from_the_swarm()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ct = cts.Token;
        using var work = new TempDirectory("replicas");

        // A private DHT: four nodes that know each other, and two that joined and left (the real DHT has departed nodes).
        await using var dht = await PrivateDht.StartAsync(live: 4, departed: 2, cancellationToken: ct);
        await RunAsync(work.Path, dht.Bootstrap, ct);
    }

    private static async Task RunAsync(string work, string bootstrap, CancellationToken ct)
    {
        // Alice publishes a repository from her own node; the portal knows her id and crawls her profile.
        await using var alice = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(work, "alice"), Bind = IPAddress.Loopback, Bootstrap = [.. bootstrap.Split(',')],
        }, null, ct);
        await alice.Joined.WaitAsync(Step, ct);
        using var aliceRepo = new TempGitRepo();
        var aliceTip = aliceRepo.Commit("a.txt", "alice\n").ToString();
        alice.SetRepositories([new ServedRepository("proj", aliceRepo.GitDir)]);
        await alice.AnnounceTipsAsync(ct);
        using var aliceKey = UserIdentity.Generate();
        await alice.PublishProfileAsync(aliceKey, await ProfileBuilder.BuildAsync(alice.Repositories, "Alice", null, ct), 10, ct);

        // The origin: a small mirror served directly, a larger one behind a slow link (its first sync takes ~10 s).
        var originRoot = Path.Combine(work, "origin");
        Directory.CreateDirectory(originRoot);
        using var fastSource = new TempGitRepo();
        var fastTip = fastSource.Commit("README.md", "# fast\n").ToString();
        TempGitRepo.Run(originRoot, "clone", "-q", "--bare", fastSource.Root, Path.Combine(originRoot, "fast.git"));
        using var slowSource = new TempGitRepo();
        await File.WriteAllBytesAsync(Path.Combine(slowSource.Root, "blob.bin"), RandomNumberGenerator.GetBytes(3 * 1024 * 1024), ct);
        var slowTip = slowSource.Commit("README.md", "# slow\n").ToString();
        TempGitRepo.Run(originRoot, "clone", "-q", "--bare", slowSource.Root, Path.Combine(originRoot, "slow.git"));
        var origin = await GitHttpServer.StartAsync(originRoot).WaitAsync(Step, ct);
        var relay = new ThrottledRelay(origin.Port, 300 * 1024);
        var originStopped = false;
        try
        {
            await using var storage = PortalStorage.Postgres();
            Assert.Equal(0, (await PortalProcess.RunCommandAsync(storage, "migrate").WaitAsync(Step, ct)).ExitCode);
            var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("fast.git"), "--name", "fast", "--interval", "10s").WaitAsync(Step, ct);
            Assert.True(added.ExitCode == 0, added.Describe());
            var created = await PortalProcess.RunCommandAsync(storage, "admin", "create-user", "root").WaitAsync(Step, ct);
            var password = Assert.Single(created.StandardOutput, l => l.StartsWith("One-time password: ", StringComparison.Ordinal))["One-time password: ".Length..];
            await using (var db = storage.OpenFactory().CreateDbContext())
            {
                db.Users.Add(new User
                {
                    UserId = aliceKey.UserId.ToString(), PublicKey = aliceKey.PublicKey, RawProfile = [], Signature = [],
                    FirstSeen = DateTimeOffset.UtcNow, LastSeen = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync(ct);
            }

            var settings = new Dictionary<string, string?>
            {
                ["GitTorrent__Bootstrap"] = bootstrap,
                ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
                ["GitTorrent__Crawler__Interval"] = "00:00:10",
                ["GitTorrent__Crawler__Idle"] = "00:00:01",
                ["GitTorrent__Jobs__PollInterval"] = "00:00:00.500",
                // nginx connects from 127.0.0.1: believe its X-Forwarded-For, so per-address limits count the clients, and
                // let the 10 cloning clients (git cannot pick its source address: all 127.0.0.1) clone at once.
                ["GitTorrent__TrustedProxies"] = "127.0.0.1",
                ["GitTorrent__GitHttp__MaxUploadPacksPerAddress"] = "16",
                ["GitTorrent__GitHttp__MaxUploadPacks"] = "32", // ip_hash sends every git client (127.0.0.1) to one replica
            };
            var replicas = (await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
                PortalProcess.StartAsync(Path.Combine(work, $"replica{i}"), storage.PostgresConnectionString, settings))).WaitAsync(Step, ct)).ToList();
            try
            {
                await using var nginx = await NginxProxy.StartAsync(replicas.Select(r => r.Port), Step);
                var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Step, ct)).StandardOutput);
                foreach (var replica in replicas)
                {
                    // Any replica's data folder gives the same id: the key is in the database.
                    var whoami = await ProcessRunner.RunAsync("dotnet", [PortalProcess.WebDll, "whoami"], Step,
                        PortalProcess.Environment(replica.DataDirectory, storage.PostgresConnectionString)).WaitAsync(Step, ct);
                    Assert.Equal([portalId], whoami.StandardOutput);
                }

                // An admin signs in through nginx (from 127.0.9.1) and sets a password.
                using var admin = Client(nginx.BaseAddress, IPAddress.Parse("127.0.9.1"), out var adminCookies);
                var login = await SubmitFormAsync(admin, "/admin/login", "admin-login", new() { ["Input.UserName"] = "root", ["Input.Password"] = password }, ct);
                Assert.Equal(HttpStatusCode.Found, login.Status);
                var changed = await SubmitFormAsync(admin, "/admin/password", "admin-password",
                    new() { ["Input.Current"] = password, ["Input.Next"] = "replicas share the key ring" }, ct);
                Assert.Equal(HttpStatusCode.Found, changed.Status);

                // 50 clients through nginx: 40 browse, each from a source network of its own (ip_hash hashes the first three
                // octets, so they spread over the replicas), and 10 clone with git (from 127.0.0.1, so all on one replica).
                using var load = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var results = new ConcurrentBag<(DateTime Started, bool Ok, string What)>();
                var pages = new[] { "/", $"/u/{portalId}/fast", $"/u/{aliceKey.UserId}/proj", "/search?q=fast" };
                var clients = Enumerable.Range(0, 40).Select(i => BrowseAsync(nginx.BaseAddress, IPAddress.Parse($"127.0.{10 + i}.2"), pages, results, load.Token))
                    .Concat(Enumerable.Range(0, 10).Select(i => CloneAsync(new Uri(nginx.BaseAddress, $"/{portalId}/fast.git"), Path.Combine(work, $"clones{i}"), results, load.Token)))
                    .ToList();

                // The load runs a while first, so every replica is serving its share when one is killed.
                await Task.Delay(TimeSpan.FromSeconds(10), ct);

                // The slow mirror is added through the admin API; whichever replica claims its first sync is killed mid-sync.
                using (var add = await admin.PostAsJsonAsync(new Uri("/api/admin/mirrors", UriKind.Relative),
                           new { originUrl = $"http://127.0.0.1:{relay.Port}/git/slow.git", name = "slow", interval = "1h" }, ct).WaitAsync(Step, ct))
                {
                    Assert.Equal(HttpStatusCode.Created, add.StatusCode);
                }

                var slowKey = await MirrorKeyAsync(storage, "slow", ct);
                var holder = await WaitForAsync(async () => (await JobAsync(storage, JobKinds.MirrorSync, slowKey, ct))?.LeaseHolder, "the slow mirror's first sync to start", ct);
                var victim = replicas.Single(r => holder.EndsWith("#" + r.Runner.Id, StringComparison.Ordinal));
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                Assert.Null((await JobAsync(storage, JobKinds.MirrorSync, slowKey, ct))!.LastFinishedAt); // still syncing
                var killedAt = DateTime.UtcNow;
                Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-9", victim.Runner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Step)).ExitCode);
                await victim.Runner.WaitForExitAsync(Step);
                var survivors = replicas.Where(r => r != victim).ToList();

                // Another replica takes the job over once the lease runs out and finishes the sync within 60 s of the kill.
                var finished = await WaitForAsync(async () =>
                {
                    var runs = await RunsAsync(storage, JobKinds.MirrorSync, slowKey, ct);
                    return runs.Any(r => r.Outcome == JobRunOutcome.Succeeded) ? runs : null;
                }, "another replica to finish the slow mirror's sync", ct);
                var done = finished.Single(r => r.Outcome == JobRunOutcome.Succeeded);
                Assert.True(done.FinishedAt!.Value.UtcDateTime - killedAt < TimeSpan.FromSeconds(60), $"finished {done.FinishedAt:O}, killed {killedAt:O}");
                Assert.NotEqual(holder, done.Holder);
                Assert.Equal([(holder, JobRunOutcome.Abandoned), (done.Holder, JobRunOutcome.Succeeded)],
                    finished.OrderBy(r => r.StartedAt).Select(r => (r.Holder, r.Outcome!.Value)));

                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                await load.CancelAsync();
                await Task.WhenAll(clients).WaitAsync(Step, ct);

                // Only requests in flight on the killed replica failed: nothing that started after the kill.
                var failures = results.Where(r => !r.Ok).ToList();
                var afterKill = results.Count(r => r.Started > killedAt);
                var access = File.ReadAllLines(nginx.AccessLog);
                var onVictim = access.Where(l => l.Contains($":{victim.Port}", StringComparison.Ordinal)).ToList();
                var upstreamFailures = onVictim.Count(l => Regex.IsMatch(l, @"^\S+ (502|504|499) "));
                var perReplica = string.Join(", ", replicas.Select(r => $"{r.Port}: {access.Count(l => l.Contains($":{r.Port}", StringComparison.Ordinal))}"));
                Console.WriteLine($"replicas: {results.Count} requests, {failures.Count} failed (nginx: {upstreamFailures} failed on the killed replica, "
                    + $"which served {onVictim.Count}), {afterKill} started after the kill; requests per replica {perReplica}");
                Assert.True(onVictim.Count > 10, $"the killed replica served only {onVictim.Count} requests of the load: the kill proved nothing");
                Assert.True(afterKill > 50, $"only {afterKill} requests after the kill");
                Assert.All(failures, f => Assert.True(f.Started < killedAt + TimeSpan.FromSeconds(0.5),
                    $"{f.What} started {(f.Started - killedAt).TotalMilliseconds:0} ms after the kill and failed"));
                // Each of the 50 clients has one request at a time, so at most 50 were in flight at the kill. A client whose
                // request fails asks again at once, so the 0.5 s while nginx learns the replica is gone (checked above) may
                // hold any number of quick failures; they are not counted here.
                var inFlightAtKill = failures.Count(f => f.Started <= killedAt);
                Assert.True(inFlightAtKill <= clients.Count,
                    $"{inFlightAtKill} requests that started before the kill failed: more than the {clients.Count} that can be in flight");

                // The admin is still signed in: through nginx, and with the same cookie on each surviving replica.
                using (var page = await admin.GetAsync(new Uri("/admin", UriKind.Relative), ct).WaitAsync(Step, ct))
                {
                    Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                }

                foreach (var survivor in survivors)
                {
                    using var direct = new HttpClient(new HttpClientHandler { CookieContainer = Rehome(adminCookies, nginx.BaseAddress, survivor.Http.BaseAddress!), AllowAutoRedirect = false })
                    { BaseAddress = survivor.Http.BaseAddress };
                    using var page = await direct.GetAsync(new Uri("/admin/jobs", UriKind.Relative), ct).WaitAsync(Step, ct);
                    Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                    Assert.Contains(JobKinds.MirrorSync, await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
                }

                // The origin goes away; a fourth replica gets every repository from its siblings over the swarm.
                await relay.DisposeAsync();
                origin.Dispose();
                originStopped = true;
                var fourthStarted = DateTime.UtcNow;
                var fourth = await PortalProcess.StartAsync(Path.Combine(work, "replica3"), storage.PostgresConnectionString, settings).WaitAsync(Step, ct);
                replicas.Add(fourth);
                foreach (var (path, tip) in new[] { ($"/u/{portalId}/fast/commits/main", fastTip), ($"/u/{portalId}/slow/commits/main", slowTip), ($"/u/{aliceKey.UserId}/proj/commits/main", aliceTip) })
                {
                    await WaitForAsync(async () =>
                    {
                        using var response = await fourth.Http.GetAsync(new Uri(path, UriKind.Relative), ct);
                        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync(ct)).Contains(tip[..12], StringComparison.Ordinal) ? path : null;
                    }, $"the fourth replica to serve {path}", ct);
                }

                Assert.True(DateTime.UtcNow - fourthStarted < TimeSpan.FromMinutes(2), $"the fourth replica took {DateTime.UtcNow - fourthStarted}");
                foreach (var repository in new[] { $"{portalId}/fast", $"{portalId}/slow", $"{aliceKey.UserId}/proj" })
                {
                    Assert.Contains(fourth.Runner.AllOutput, l => l.Contains($"Fetched {repository} from the swarm", StringComparison.Ordinal));
                }

                // Shared work: the fast mirror's syncs run on at least two replicas. Which replica claims a due job is a race
                // between their polls, so this waits for it instead of expecting it of a fixed number of runs.
                await WaitForAsync(async () =>
                {
                    var key = await MirrorKeyAsync(storage, "fast", ct);
                    await using var db = storage.OpenFactory().CreateDbContext();
                    var holders = await db.JobRuns.AsNoTracking().Where(r => r.Kind == JobKinds.MirrorSync && r.Key == key)
                        .Select(r => r.Holder).Distinct().CountAsync(ct);
                    return holders >= 2 ? "two replicas" : null;
                }, "the fast mirror's syncs to run on two replicas", ct);

                // From the job records: no two runs of one job overlap; mirrors and profiles ran once per interval.
                await using (var db = storage.OpenFactory().CreateDbContext())
                {
                    var runs = await db.JobRuns.AsNoTracking().Where(r => r.Kind == JobKinds.MirrorSync || r.Kind == JobKinds.ProfileCrawl)
                        .ToListAsync(ct);
                    foreach (var job in runs.GroupBy(r => (r.Kind, r.Key)))
                    {
                        var ordered = job.OrderBy(r => r.StartedAt).ToList();
                        for (var i = 1; i < ordered.Count; i++)
                        {
                            Assert.True(ordered[i - 1].FinishedAt is { } end && end <= ordered[i].StartedAt,
                                $"{job.Key}: run by {ordered[i].Holder} at {ordered[i].StartedAt:O} overlaps the run by {ordered[i - 1].Holder} ({ordered[i - 1].StartedAt:O}-{ordered[i - 1].FinishedAt:O})");
                            if (ordered[i - 1].Outcome != JobRunOutcome.Abandoned)
                            {
                                // Once per interval: a run starts at least one interval after the previous one started.
                                var interval = job.Key.Kind == JobKinds.MirrorSync ? MirrorInterval : CrawlInterval;
                                Assert.True(ordered[i].StartedAt - ordered[i - 1].StartedAt >= interval,
                                    $"{job.Key}: ran again {ordered[i].StartedAt - ordered[i - 1].StartedAt} after the previous run started (interval {interval})");
                            }
                        }
                    }

                    var fastKey = await MirrorKeyAsync(storage, "fast", ct);
                    var fastRuns = runs.Where(r => r.Kind == JobKinds.MirrorSync && r.Key == fastKey).ToList();
                    Assert.True(fastRuns.Count >= 3, $"the fast mirror synced {fastRuns.Count} times");
                    Assert.True(fastRuns.Select(r => r.Holder).Distinct().Count() >= 2, "every sync of the fast mirror ran on one replica");
                    Assert.True(runs.Count(r => r.Kind == JobKinds.ProfileCrawl && r.Key == aliceKey.UserId.ToString()) >= 2, "Alice's profile was crawled less than twice");
                }

                // The portal profile's seq: every signature on every replica took a new, higher seq.
                var seqs = replicas.SelectMany(r => r.Runner.AllOutput)
                    .Select(l => SignedPattern().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.True(seqs.Count >= 4, $"only {seqs.Count} profiles signed");
                Assert.Equal(seqs.Count, seqs.Distinct().Count());
                await using (var db = storage.OpenFactory().CreateDbContext())
                {
                    Assert.Equal(seqs.Max(), (await db.Users.AsNoTracking().SingleAsync(u => u.UserId == portalId, ct)).Seq);
                    Assert.Equal(seqs.Max(), (await db.PortalKeys.AsNoTracking().SingleAsync(ct)).Seq);
                }
            }
            finally
            {
                foreach (var replica in replicas)
                {
                    await replica.DisposeAsync();
                }
            }
        }
        finally
        {
            await relay.DisposeAsync();
            if (!originStopped)
            {
                origin.Dispose();
            }
        }
    }

    private static async Task<string> MirrorKeyAsync(PortalStorage storage, string name, CancellationToken ct)
    {
        await using var db = storage.OpenFactory().CreateDbContext();
        var id = await db.Mirrors.AsNoTracking().Where(m => m.Name == name).Select(m => m.Id).SingleAsync(ct);
        return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<Job?> JobAsync(PortalStorage storage, string kind, string key, CancellationToken ct)
    {
        await using var db = storage.OpenFactory().CreateDbContext();
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Kind == kind && j.Key == key, ct);
    }

    private static async Task<List<JobRun>> RunsAsync(PortalStorage storage, string kind, string key, CancellationToken ct)
    {
        await using var db = storage.OpenFactory().CreateDbContext();
        return await db.JobRuns.AsNoTracking().Where(r => r.Kind == kind && r.Key == key).ToListAsync(ct);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, CancellationToken ct) where T : class
    {
        var deadline = DateTime.UtcNow + Step;
        while (true)
        {
            try
            {
                if (await probe().WaitAsync(Step, ct) is { } found)
                {
                    return found;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200, ct);
        }
    }

    private static async Task BrowseAsync(Uri proxy, IPAddress source, string[] pages, ConcurrentBag<(DateTime, bool, string)> results, CancellationToken ct)
    {
        using var client = Client(proxy, source, out _);
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var page = pages[i % pages.Length];
            var started = DateTime.UtcNow;
            try
            {
                using var response = await client.GetAsync(new Uri(page, UriKind.Relative), ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                results.Add((started, (int)response.StatusCode < 500, $"GET {page} from {source}: {(int)response.StatusCode}"));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                results.Add((started, false, $"GET {page} from {source}: {e.Message}"));
            }
        }
    }

    private static async Task CloneAsync(Uri url, string folder, ConcurrentBag<(DateTime, bool, string)> results, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var target = Path.Combine(folder, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var started = DateTime.UtcNow;
            var clone = await ProcessRunner.RunAsync("git", ["clone", "-q", url.ToString(), target], Step,
                new Dictionary<string, string?> { ["GIT_TERMINAL_PROMPT"] = "0" });
            if (ct.IsCancellationRequested && clone.ExitCode != 0)
            {
                return;
            }

            results.Add((started, clone.ExitCode == 0, $"git clone: {string.Join(' ', clone.StandardError)}"));
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    /// <summary>A client whose connections come from <paramref name="source"/> (a loopback address of its own network for ip_hash).</summary>
    private static HttpClient Client(Uri baseAddress, IPAddress source, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The admin's cookies, for sending straight to one replica (cookies are per host and port).</summary>
    private static CookieContainer Rehome(CookieContainer cookies, Uri from, Uri to)
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in cookies.GetCookies(from))
        {
            copy.Add(to, new Cookie(cookie.Name, cookie.Value, "/"));
        }

        return copy;
    }

    /// <summary>GETs the page, takes its antiforgery token and posts the named Blazor form.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> SubmitFormAsync(
        HttpClient client, string path, string formName, Dictionary<string, string> fields, CancellationToken ct)
    {
        var page = await client.GetStringAsync(new Uri(path, UriKind.Relative), ct).WaitAsync(Step, ct);
        var token = TokenPattern().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {path}");
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(fields), ct).WaitAsync(Step, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"Signed the portal profile at seq (\d+)")]
    private static partial Regex SignedPattern();
}
