using System.Net;
using System.Text.Json;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Node;

/// <summary>The portal as a seeder: a mirror of a local origin is cloneable through gittorrent:// with the portal as the only seeder.</summary>
public sealed class SwarmPortalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_mirror_is_cloneable_through_gittorrent_from_another_node_and_the_upload_counter_grows()
    {
        // A private DHT on loopback that the portal and the cloning helper both join.
        using var cts = new CancellationTokenSource(Timeout);
        var dht = await PrivateDht.StartAsync(live: 4, cancellationToken: cts.Token);
        var bootstrap = dht.Bootstrap;
        try
        {
            using var originRoot = new TempDirectory("swarm-origin");
            using var work = new TempGitRepo();
            for (var i = 0; i < 5; i++)
            {
                work.Commit($"f{i}.txt", string.Concat(Enumerable.Range(0, 200).Select(n => $"{i}.{n} {Guid.NewGuid()}\n")));
            }
            var tip = work.Git("rev-parse", "HEAD").Trim();
            TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
            using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);

            await using var storage = PortalStorage.Sqlite();
            var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org", "--interval", "1h").WaitAsync(Timeout);
            Assert.True(added.ExitCode == 0, added.Describe());
            var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);
            await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
            {
                ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
                ["GitTorrent__Bootstrap"] = bootstrap,
            }).WaitAsync(Timeout);

            // The mirror syncs, the portal announces it and puts its signed profile in the DHT.
            await SwarmClient.WaitForProfileAsync(dht, portalId, tip, portal, Timeout, cts.Token);

            // Another node clones through gittorrent:// by key; the origin is not involved (key form has none).
            await CloneByKeyAsync(bootstrap, portalId, portal, tip);

            // The portal served the pack: its upload counter grew, and the pack is published for web seeding.
            using var swarm = JsonDocument.Parse(await portal.Http.GetStringAsync(new Uri("/api/swarm", UriKind.Relative)).WaitAsync(Timeout));
            Assert.True(swarm.RootElement.GetProperty("uploaded").GetInt64() > 0, swarm.RootElement.ToString());
            var pack = swarm.RootElement.GetProperty("packs").EnumerateArray().Single(p => p.GetProperty("commit").GetString() == tip);
            var infoHash = pack.GetProperty("infoHash").GetString();
            using var torrent = await portal.Http.GetAsync(new Uri($"/packs/{infoHash}.torrent", UriKind.Relative)).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, torrent.StatusCode);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/packs/{infoHash}.pack", UriKind.Relative));
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 3);
            using var range = await portal.Http.SendAsync(request).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal("PACK"u8.ToArray(), await range.Content.ReadAsByteArrayAsync().WaitAsync(Timeout));
        }
        finally
        {
            await dht.DisposeAsync();
        }
    }

    /// <summary>
    /// Issue 13, org-hosted private network: the portal is the only DHT node (empty bootstrap); a client bootstrapping from
    /// it clones its mirror by key. The portal has nobody to announce to, so its own announces answer get_peers there.
    /// Colleagues' nodes joined through the portal and left (departed) before the clone.
    /// </summary>
    [Fact]
    public async Task A_portal_that_is_the_only_DHT_node_serves_a_clone_by_key()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var originRoot = new TempDirectory("org-origin");
        using var work = new TempGitRepo();
        var tip = work.Commit("readme.txt", "inside the company\n").ToString();
        TempGitRepo.Run(originRoot.Path, "clone", "-q", "--bare", work.Root, Path.Combine(originRoot.Path, "org.git"));
        using var origin = await GitHttpServer.StartAsync(originRoot.Path).WaitAsync(Timeout);
        await using var storage = PortalStorage.Sqlite();
        var added = await PortalProcess.RunCommandAsync(storage, "mirror", "add", origin.UrlOf("org.git"), "--name", "org", "--interval", "1h").WaitAsync(Timeout);
        Assert.True(added.ExitCode == 0, added.Describe());
        var portalId = Assert.Single((await PortalProcess.RunCommandAsync(storage, "whoami").WaitAsync(Timeout)).StandardOutput);
        var dhtPort = FreePorts.Udp();
        var bootstrap = $"127.0.0.1:{dhtPort}";
        await using var portal = await PortalProcess.StartAsync(storage, new Dictionary<string, string?>
        {
            ["GitTorrent__MirrorPollInterval"] = "00:00:00.500",
            ["GitTorrent__DhtPort"] = dhtPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).WaitAsync(Timeout);

        for (var i = 0; i < 3; i++)
        {
            await using var colleague = await GitTorrent.Engine.Dht.DhtNode.StartAsync(new GitTorrent.Engine.Dht.DhtOptions
            {
                BindAddress = IPAddress.Loopback,
                BootstrapNodes = [bootstrap],
            }, null, cts.Token);
            await colleague.BootstrapAsync(cts.Token);
            while (i == 2)
            {
                var item = await colleague.GetMutableAsync(GitTorrent.Engine.Hash20.Parse(portalId), null, cts.Token);
                if (item is not null && System.Text.Encoding.UTF8.GetString(item.Value).Contains(tip, StringComparison.Ordinal)
                    && await colleague.GetPeersWithStatsAsync(GitTorrent.Engine.Hash20.Parse(tip), cts.Token) is { PeerCount: > 0 })
                {
                    break;
                }
                await Task.Delay(200, cts.Token);
            }
        }

        await CloneByKeyAsync(bootstrap, portalId, portal, tip);
    }

    /// <summary>Another node (its own home, bootstrapping from <paramref name="bootstrap"/>) clones the mirror "org" by key and checks it.</summary>
    private static async Task CloneByKeyAsync(string bootstrap, string portalId, PortalProcess portal, string tip)
    {
        using var clones = new TempDirectory("swarm-clone");
        var target = Path.Combine(clones.Path, "c");
        var env = HelperEnvironment.For(Path.Combine(clones.Path, "home"), bootstrap);
        var clone = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{portalId}/org", target], Timeout, env);
        Assert.True(clone.ExitCode == 0, clone.Describe() + "\n--- portal ---\n" + portal.Runner.Describe());
        TempGitRepo.Run(target, "fsck", "--strict");
        Assert.Equal(tip, TempGitRepo.Run(target, "rev-parse", "HEAD").Trim());
    }
}
