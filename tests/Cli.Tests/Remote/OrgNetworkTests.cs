using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// Issue 13, org-hosted private network: a daemon started with an empty bootstrap is the network's only DHT node; a
/// client bootstrapping from it clones by key form. The daemon has nobody to announce to, so its own announces must
/// answer get_peers at the daemon. Nodes that joined the network and left stay in the daemon's routing table.
/// </summary>
public sealed class OrgNetworkTests
{
    [Fact]
    public async Task A_daemon_that_is_the_only_DHT_node_serves_a_clone_by_key()
    {
        await using var net = PrivateNetwork.StartOrg();
        var aliceHome = net.NewHome("alice");
        var alice = await net.KeygenAsync(aliceHome);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        using var source = new TempGitRepo(path: Path.Combine(repos, "proj"));
        var tip = source.Commit("readme.txt", "inside the company\n");
        var dhtPort = FreePorts.Udp();
        await net.StartDaemonAsync(aliceHome, repos, dhtPort); // GITTORRENT_BOOTSTRAP is empty: no other node
        net.OrgBootstrap = $"127.0.0.1:{dhtPort}";

        // Colleagues' nodes join through the daemon and leave again (departed: the daemon still lists them). The last
        // one waits until the daemon serves the profile with the tip and has announced it.
        using var timeout = new CancellationTokenSource(PrivateNetwork.Timeout);
        for (var i = 0; i < 3; i++)
        {
            await using var colleague = await DhtNode.StartAsync(
                new DhtOptions { BindAddress = IPAddress.Loopback, BootstrapNodes = [net.OrgBootstrap] }, null, timeout.Token);
            await colleague.BootstrapAsync(timeout.Token);
            if (i == 2)
            {
                await WaitUntilServedAsync(colleague, alice, tip.ToString(), timeout.Token);
            }
        }

        var clone = Path.Combine(net.Work.Path, "bob-clone");
        var run = await net.GitAsync(net.NewHome("bob"), "clone", $"gittorrent://{alice}/proj", clone);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.DoesNotContain(run.StandardError, l => l.Contains("origin", StringComparison.Ordinal));
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip.ToString(), TempGitRepo.Run(clone, "rev-parse", "HEAD").Trim());
    }

    /// <summary>Waits until the profile names <paramref name="tip"/> and get_peers of the tip finds the daemon.</summary>
    internal static async Task WaitUntilServedAsync(DhtNode node, Engine.Hash20 user, string tip, CancellationToken cancellationToken)
    {
        while (true)
        {
            var item = await node.GetMutableAsync(user, null, cancellationToken);
            if (item is not null && System.Text.Encoding.UTF8.GetString(item.Value).Contains(tip, StringComparison.Ordinal))
            {
                await foreach (var _ in node.FindPeersAsync(Engine.Hash20.Parse(tip), cancellationToken))
                {
                    return;
                }
            }
            await Task.Delay(200, cancellationToken);
        }
    }
}
