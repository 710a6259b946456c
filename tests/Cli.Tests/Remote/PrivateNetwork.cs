using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// A private DHT of in-process nodes on 127.0.0.1 (<see cref="PrivateDht"/>: live nodes, optionally departed ones and
/// latency) plus helpers to run the real gittorrent programs against it: daemons, keygen, git with the remote helper
/// on PATH. Nothing here contacts a public router.
/// </summary>
internal sealed class PrivateNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly PrivateDht? _dht;
    private readonly List<ProcessRunner> _processes = [];

    private PrivateNetwork(TempDirectory work, PrivateDht? dht)
    {
        Work = work;
        _dht = dht;
    }

    public TempDirectory Work { get; }

    /// <summary>The live nodes (none in an org network).</summary>
    public IReadOnlyList<DhtNode> Nodes => _dht?.Nodes ?? [];

    /// <summary>The DHT itself (departed nodes, relay); absent in an org network.</summary>
    public PrivateDht Dht => _dht ?? throw new InvalidOperationException("an org network has no private DHT");

    /// <summary>
    /// GITTORRENT_BOOTSTRAP value: every live node of the private DHT, or in an org network what
    /// <see cref="OrgBootstrap"/> says (empty until set: the first daemon is the network's only node).
    /// </summary>
    public string Bootstrap => _dht?.Bootstrap ?? OrgBootstrap;

    /// <summary>In an org network (<see cref="StartOrgAsync"/>), the bootstrap every later program uses.</summary>
    public string OrgBootstrap { get; set; } = "";

    /// <summary>No private DHT: the first daemon started is the only DHT node, as inside a company.</summary>
    public static PrivateNetwork StartOrg() => new(new TempDirectory("org"), null);

    public static string Gittorrent => RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");

    /// <summary>A private DHT of <paramref name="nodes"/> live nodes and <paramref name="departed"/> that left, with an optional one-way delay.</summary>
    public static async Task<PrivateNetwork> StartAsync(int nodes = 10, int departed = 0, TimeSpan? oneWayDelay = null)
    {
        var work = new TempDirectory("swarm");
        try
        {
            return new PrivateNetwork(work, await PrivateDht.StartAsync(nodes, departed, oneWayDelay).WaitAsync(Timeout));
        }
        catch
        {
            work.Dispose();
            throw;
        }
    }

    /// <summary>Environment of a gittorrent program or git run: a home folder, the private DHT, loopback only.</summary>
    public Dictionary<string, string?> Environment(string home, int btPort = 0, int dhtPort = 0) =>
        HelperEnvironment.For(home, Bootstrap, btPort, dhtPort, plainHttpOrigins: true);

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
    public async Task<Daemon> StartDaemonAsync(string home, string repos, int dhtPort = 0)
    {
        var btPort = FreePorts.Tcp();
        var process = ProcessRunner.Start("dotnet", [Gittorrent, "daemon", "--repos", repos], Environment(home, btPort, dhtPort));
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
    /// lookup finds it, and at least <see cref="ProfileCopies"/> of the private nodes (all of them when fewer) store it. A lookup alone can see it
    /// at the publisher's own node before its put has reached the nodes closest to the target, and a client's lookup a
    /// moment later would then still get the previous profile.
    /// </summary>
    public async Task WaitForProfileAsync(Hash20 user, Func<string, bool> predicate, string why)
    {
        var last = "";
        await Condition.WaitUntilAsync(async () =>
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                var item = await Nodes[0].GetMutableAsync(user, null, cts.Token);
                if (item is null)
                {
                    return false;
                }
                last = System.Text.Encoding.UTF8.GetString(item.Value);
                return predicate(last) && await StoredCopiesAsync(user, predicate, cts.Token) >= Math.Min(ProfileCopies, Nodes.Count);
            },
            $"a profile of {user} {why}", Timeout, TimeSpan.FromMilliseconds(500), () => $"last seen: {last}");
    }

    /// <summary>How many private nodes must store a profile before <see cref="WaitForProfileAsync"/> returns (a put reaches 8).</summary>
    private const int ProfileCopies = 3;

    private async Task<int> StoredCopiesAsync(Hash20 user, Func<string, bool> predicate, CancellationToken cancellationToken)
    {
        var copies = 0;
        foreach (var node in Nodes)
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
        if (_dht is not null)
        {
            await _dht.DisposeAsync();
        }
        Work.Dispose();
    }
}

internal sealed record Daemon(ProcessRunner Process, string Home, int BtPort);
