using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Traffic;

/// <summary>
/// Offload, truthfully (issue 13): after clones over the swarm and smart HTTP and a restart, the per-repository figures
/// equal what the clients received (within HTTP framing) and survive the restart.
/// </summary>
public sealed class OffloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    // HTTP/1.1 status line, headers and chunked framing of one response are well under 1 KiB; a clone makes at most 3
    // requests (protocol v2: info/refs, ls-refs, fetch).
    private const long HttpOverheadPerClone = 3 * 1024;

    [Fact]
    public async Task Bytes_served_to_the_swarm_and_over_http_equal_what_three_clones_received_and_survive_a_restart()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var dht = await PrivateDht.StartAsync(live: 4, cancellationToken: cts.Token);
        try
        {
            using var originRoot = new TempDirectory("offload-origin");
            using var work = new TempGitRepo();
            for (var i = 0; i < 5; i++)
            {
                work.Commit($"f{i}.txt", string.Concat(Enumerable.Range(0, 400).Select(n => $"{i}.{n} {Guid.NewGuid()}\n")));
            }
            var tip = work.Git("rev-parse", "HEAD").Trim();
            TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
            using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);

            await using var storage = PortalStorage.Sqlite();
            var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org", "--interval", "1h").WaitAsync(Timeout);
            Assert.True(added.ExitCode == 0, added.Describe());
            var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);
            var settings = new Dictionary<string, string?>
            {
                ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
                ["GitTorrent__TrafficSampleInterval"] = "00:00:00.500",
                ["GitTorrent__Bootstrap"] = dht.Bootstrap,
            };
            var api = $"/api/repos/{portalId}/org";
            long swarmReceived, httpReceived;
            await using (var portal = await PortalProcess.StartAsync(storage, settings).WaitAsync(Timeout))
            {
                await SwarmClient.WaitForProfileAsync(dht, portalId, tip, portal, Timeout, cts.Token);

                // Clone 1, over the swarm: the portal is the only seeder, so the client's pack is exactly what it sent.
                using var clones = new TempDirectory("offload-clones");
                var swarmClone = Path.Combine(clones.Path, "swarm");
                var env = SwarmClient.Environment(Path.Combine(clones.Path, "home"), dht.Bootstrap);
                var clone = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{portalId}/org", swarmClone], Timeout, env);
                Assert.True(clone.ExitCode == 0, clone.Describe() + "\n--- portal ---\n" + portal.Runner.Describe());
                Assert.Equal(tip, TempGitRepo.Run(swarmClone, "rev-parse", "HEAD").Trim());
                swarmReceived = Directory.EnumerateFiles(Path.Combine(swarmClone, ".git", "objects", "pack"), "*.pack").Sum(f => new FileInfo(f).Length);
                Assert.True(swarmReceived > 0);

                // Clones 2 and 3, over smart HTTP through a relay that counts what the clients received.
                await using var relay = new ThrottledRelay(portal.Http.BaseAddress!.Port, 0);
                foreach (var name in new[] { "http1", "http2" })
                {
                    var target = Path.Combine(clones.Path, name);
                    await Task.Run(() => TempGitRepo.Run(clones.Path, "clone", "-q", $"http://127.0.0.1:{relay.Port}/{portalId}/org.git", target)).WaitAsync(Timeout);
                    Assert.Equal(tip, TempGitRepo.Run(target, "rev-parse", "HEAD").Trim());
                }
                httpReceived = relay.BytesToClient;

                using var counted = await portal.WaitForJsonAsync(api, "bytesServed",
                    b => b.ValueKind == JsonValueKind.Object && b.GetProperty("swarm").GetInt64() == swarmReceived && b.GetProperty("http").GetInt64() > httpReceived - 2 * HttpOverheadPerClone, TimeSpan.FromSeconds(30));
                AssertMatches(counted, swarmReceived, httpReceived);
                await portal.StopAsync();
            }

            // After a restart the figures are read back from the database, unchanged.
            await using (var restarted = await PortalProcess.StartAsync(storage, settings).WaitAsync(Timeout))
            {
                using var response = await restarted.Http.GetAsync(new Uri(api, UriKind.Relative)).WaitAsync(Timeout);
                using var after = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
                AssertMatches(after, swarmReceived, httpReceived);
                Assert.True(after.RootElement.GetProperty("bytesFetched").GetProperty("origin").GetInt64() > 0, "the mirror's clone from the origin was not counted");
                var swarmPage = await restarted.Http.GetStringAsync(new Uri("/swarm", UriKind.Relative)).WaitAsync(Timeout);
                Assert.Contains($"data-repository=\"{portalId}/org\"", swarmPage, StringComparison.Ordinal);
                Assert.Contains($"class=\"swarm-bytes\" data-bytes=\"{swarmReceived}\"", swarmPage, StringComparison.Ordinal);
                Assert.Contains("class=\"bar-swarm\"", swarmPage, StringComparison.Ordinal);
            }
        }
        finally
        {
            await dht.DisposeAsync();
        }
    }

    private static void AssertMatches(JsonDocument repository, long swarmReceived, long httpReceived)
    {
        var served = repository.RootElement.GetProperty("bytesServed");
        Assert.Equal(swarmReceived, served.GetProperty("swarm").GetInt64());
        var http = served.GetProperty("http").GetInt64();
        Assert.InRange(http, httpReceived - 2 * HttpOverheadPerClone, httpReceived);
    }
}
