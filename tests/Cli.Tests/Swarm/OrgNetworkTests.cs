using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine;
using GitTorrent.TestSupport;
using ProcessRunner = GitTorrent.Tests.Shared.ProcessRunner;

namespace GitTorrent.Cli.Tests.Swarm;

/// <summary>
/// An organisation's private network (README, "A private network"): one daemon started with no bootstrap nodes is the
/// only DHT node, and clients bootstrap from it. A client clones by key form: the profile and the peers of the
/// commits both come from that one node (its own announces answer get_peers).
/// </summary>
public sealed class OrgNetworkTests
{
    private static readonly TimeSpan Timeout = PrivateNetwork.Timeout;

    [Fact]
    public async Task A_client_bootstrapping_from_the_only_node_clones_by_key()
    {
        await using var net = await PrivateNetwork.StartAsync(nodes: 1); // for its work folder and keygen; its node is not used
        var aliceHome = net.NewHome("alice");
        var alice = await net.KeygenAsync(aliceHome);
        var repos = Path.Combine(net.Work.Path, "alice-repos");
        using var source = new TempGitRepo(path: Path.Combine(repos, "proj"));
        source.Commit("a.txt", "first\n");
        var tip = source.Commit("b.txt", "second\n");

        var dhtPort = FreeUdpPort();
        var daemonEnvironment = net.Environment(aliceHome, TestSupport.GitHttpServer.FreeTcpPort());
        daemonEnvironment["GITTORRENT_BOOTSTRAP"] = "";
        daemonEnvironment["GITTORRENT_DHT_PORT"] = dhtPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var daemon = ProcessRunner.Start("dotnet", [PrivateNetwork.Gittorrent, "daemon", "--repos", repos], daemonEnvironment);
        var deadline = DateTime.UtcNow + Timeout;
        while (!daemon.StandardOutput.Any(l => l.StartsWith("serving ", StringComparison.Ordinal)))
        {
            Assert.False(daemon.HasExited || DateTime.UtcNow > deadline, "the daemon did not start: " + daemon.Describe());
            await Task.Delay(100);
        }

        var bobHome = net.NewHome("bob");
        var bobEnvironment = net.Environment(bobHome);
        bobEnvironment["GITTORRENT_BOOTSTRAP"] = $"127.0.0.1:{dhtPort}";
        var clone = Path.Combine(net.Work.Path, "bob-clone");
        // The daemon publishes and announces just after "serving": ask again until then (each try fails fast, within
        // the swarm timeout, when nothing is announced yet).
        ProcessRunner run;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "no clone from the only node succeeded");
            run = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{alice}/proj", clone], Timeout, bobEnvironment);
        }
        while (run.ExitCode != 0 && Retry(clone, run));

        Assert.True(run.ExitCode == 0, run.Describe());
        TempGitRepo.Run(clone, "fsck", "--strict");
        Assert.Equal(tip.ToString(), TempGitRepo.Run(clone, "rev-parse", "HEAD").Trim());
    }

    /// <summary>True when the failed try may be asked again (the profile or announce is not there yet); the clone folder is removed.</summary>
    private static bool Retry(string clone, ProcessRunner run)
    {
        if (Directory.Exists(clone))
        {
            Directory.Delete(clone, recursive: true);
        }
        Thread.Sleep(500);
        return run.StandardError.Any(l => l.Contains("no peer", StringComparison.OrdinalIgnoreCase)
            || l.Contains("profile", StringComparison.OrdinalIgnoreCase));
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
