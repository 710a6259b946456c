using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using GitTorrent.Tests.Shared;

namespace GitTorrent.Cli.Tests.Swarm;

/// <summary>
/// A private DHT of in-process nodes on 127.0.0.1 plus helpers to run the real gittorrent programs against it:
/// daemons, keygen, git with the remote helper on PATH. Nothing here contacts a public router.
/// </summary>
internal sealed class PrivateNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly List<DhtNode> _nodes = [];
    private readonly List<ProcessRunner> _processes = [];

    private PrivateNetwork(TempDirectory work) => Work = work;

    public TempDirectory Work { get; }

    public IReadOnlyList<DhtNode> Nodes => _nodes;

    /// <summary>GITTORRENT_BOOTSTRAP value naming every node of the private DHT.</summary>
    public string Bootstrap => string.Join(',', _nodes.Select(n => $"127.0.0.1:{n.LocalEndPoint.Port}"));

    public static string Gittorrent => RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");

    public static async Task<PrivateNetwork> StartAsync(int nodes = 10)
    {
        var network = new PrivateNetwork(new TempDirectory("swarm"));
        using var cts = new CancellationTokenSource(Timeout);
        for (var i = 0; i < nodes; i++)
        {
            network._nodes.Add(await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback }, null, cts.Token));
        }
        foreach (var node in network._nodes)
        {
            foreach (var other in network._nodes.Where(o => o != node).Take(4))
            {
                await node.AddNode(other.LocalEndPoint).WaitAsync(Timeout);
            }
        }
        foreach (var node in network._nodes)
        {
            await node.BootstrapAsync(cts.Token);
        }
        return network;
    }

    /// <summary>Environment of a gittorrent program or git run: a home folder, the private DHT, loopback only.</summary>
    public Dictionary<string, string?> Environment(string home, int btPort = 0) => new()
    {
        ["PATH"] = Path.GetDirectoryName(RepositoryLayout.Output("src/Cli/git-remote-gittorrent", "git-remote-gittorrent"))
                   + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        ["GITTORRENT_HOME"] = home,
        ["GITTORRENT_BOOTSTRAP"] = Bootstrap,
        ["GITTORRENT_DHT_PORT"] = "0",
        ["GITTORRENT_BT_PORT"] = btPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["GITTORRENT_BIND"] = "127.0.0.1",
        ["GITTORRENT_ORIGIN_SCHEME"] = "http",
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
    };

    public string NewHome(string name)
    {
        var home = Path.Combine(Work.Path, name);
        Directory.CreateDirectory(home);
        return home;
    }

    /// <summary>Runs <c>gittorrent keygen</c> in <paramref name="home"/> and returns the user id.</summary>
    public async Task<Hash20> KeygenAsync(string home)
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "keygen"], Timeout, Environment(home));
        Assert.True(run.ExitCode == 0, run.Describe());
        return Hash20.Parse(Assert.Single(run.StandardOutput));
    }

    /// <summary>Starts <c>gittorrent daemon --repos DIR</c> and waits for its "serving" line.</summary>
    public async Task<Daemon> StartDaemonAsync(string home, string repos)
    {
        var btPort = TestSupport.GitHttpServer.FreeTcpPort();
        var process = ProcessRunner.Start("dotnet", [Gittorrent, "daemon", "--repos", repos], Environment(home, btPort));
        _processes.Add(process);
        var deadline = DateTime.UtcNow + Timeout;
        while (!process.StandardOutput.Any(l => l.StartsWith("serving ", StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the daemon did not start: " + process.Describe());
            }
            await Task.Delay(100);
        }
        return new Daemon(process, home, btPort);
    }

    /// <summary>
    /// Waits until the DHT holds a profile of <paramref name="user"/> whose JSON satisfies <paramref name="predicate"/>: a
    /// lookup finds it, and at least <see cref="ProfileCopies"/> of the private nodes store it. A lookup alone can see it
    /// at the publisher's own node before its put has reached the nodes closest to the target, and a client's lookup a
    /// moment later would then still get the previous profile.
    /// </summary>
    public async Task WaitForProfileAsync(Hash20 user, Func<string, bool> predicate, string why)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var item = await _nodes[0].GetMutableAsync(user, null, cts.Token);
            if (item is not null)
            {
                last = System.Text.Encoding.UTF8.GetString(item.Value);
                if (predicate(last) && await StoredCopiesAsync(user, predicate, cts.Token) >= ProfileCopies)
                {
                    return;
                }
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"no profile of {user} {why} appeared; last seen: {last}");
    }

    /// <summary>How many private nodes must store a profile before <see cref="WaitForProfileAsync"/> returns (a put reaches 8).</summary>
    private const int ProfileCopies = 3;

    private async Task<int> StoredCopiesAsync(Hash20 user, Func<string, bool> predicate, CancellationToken cancellationToken)
    {
        var copies = 0;
        foreach (var node in _nodes)
        {
            var items = await node.GetStoredMutableItemsAsync(10_000, cancellationToken);
            if (items.Any(i => Engine.Dht.Items.Bep44.MutableTarget(i.PublicKey, i.Salt) == user
                && predicate(System.Text.Encoding.UTF8.GetString(i.Value))))
            {
                copies++;
            }
        }
        return copies;
    }

    /// <summary>Runs git with the helper on PATH in the given home.</summary>
    public Task<ProcessRunner> GitAsync(string home, params string[] args) =>
        ProcessRunner.RunAsync("git", args, Timeout, Environment(home));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        Work.Dispose();
    }
}

internal sealed record Daemon(ProcessRunner Process, string Home, int BtPort);
