using System.Net;
using System.Text;
using GitTorrent.Cli.Commands;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Interop.Tests.Dht;

/// <summary>The `gittorrent dht node` and `gittorrent dht get` command logic against our nodes on loopback.</summary>
public sealed class DhtCliTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _home = Path.Combine(Path.GetTempPath(), "gt-cli-" + Guid.NewGuid().ToString("n"));
    private readonly List<DhtNode> _nodes = [];

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback, QueryTimeout = TimeSpan.FromSeconds(1) }, null, cts.Token));
        }
        Assert.True(await _nodes[1].AddNode(_nodes[0].LocalEndPoint).WaitAsync(cts.Token));
        Assert.True(await _nodes[2].AddNode(_nodes[0].LocalEndPoint).WaitAsync(cts.Token));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private string Bootstrap => $"127.0.0.1:{_nodes[0].LocalEndPoint.Port}";

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public async Task Dht_get_prints_the_profile_and_its_seq()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var key = Ed25519Key.Generate();
        const string json = "{\"name\":\"Chris Ball\",\"repositories\":{}}";
        var put = await _nodes[1].PutMutableAsync(key, new BString(json).Encode(), 12, null, null, cts.Token);
        Assert.True(put.Stored >= 1);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await DhtGetCommand.RunAsync([key.UserId.ToString(), "--home", _home, "--timeout", "30"], stdout, stderr,
            Env(("GITTORRENT_BOOTSTRAP", Bootstrap)), cts.Token);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal($"{json}\nseq 12\n", stdout.ToString().Replace("\r\n", "\n"));

        var immutable = await _nodes[2].PutImmutableAsync(new BString("blob").Encode(), cts.Token);
        stdout = new StringWriter();
        exit = await DhtGetCommand.RunAsync([immutable.Target.ToString(), "--bootstrap", Bootstrap, "--home", _home, "--json"], stdout, stderr, Env(), cts.Token);
        Assert.Equal(0, exit);
        Assert.Contains("\"value\":\"blob\"", stdout.ToString());
    }

    [Fact]
    public async Task Dht_get_reads_an_item_held_only_by_its_bootstrap_node()
    {
        // The smallest private network: one `dht node` holding a profile, and `dht get` bootstrapped to it.
        using var cts = new CancellationTokenSource(Timeout);
        await using var lone = await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback }, null, cts.Token);
        using var key = Ed25519Key.Generate();
        var put = await lone.PutMutableAsync(key, new BString("{\"name\":\"lone\"}").Encode(), 1, null, null, cts.Token);
        Assert.Equal(0, put.Stored); // nobody else to store it: it lives in the node's own store
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await DhtGetCommand.RunAsync([key.UserId.ToString(), "--home", _home, "--bootstrap", $"127.0.0.1:{lone.LocalEndPoint.Port}"],
            stdout, stderr, Env(), cts.Token);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal("{\"name\":\"lone\"}\nseq 1\n", stdout.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task Dht_get_exits_1_when_nothing_is_found_or_arguments_are_wrong()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var stderr = new StringWriter();
        Assert.Equal(1, await DhtGetCommand.RunAsync([Hash20Hex(), "--bootstrap", Bootstrap, "--home", _home], TextWriter.Null, stderr, Env(), cts.Token));
        Assert.Contains("no item found", stderr.ToString());
        Assert.Equal(1, await DhtGetCommand.RunAsync(["not-hex"], TextWriter.Null, stderr, Env(), cts.Token));
        Assert.Equal(1, await DhtGetCommand.RunAsync([Hash20Hex(), "--bootstrap", "nonsense"], TextWriter.Null, stderr, Env(), cts.Token));
        var help = new StringWriter();
        Assert.Equal(0, await DhtGetCommand.RunAsync(["--help"], help, stderr, Env(), cts.Token));
        Assert.Contains("usage: gittorrent dht get", help.ToString());
    }

    [Fact]
    public async Task Dht_node_prints_listening_serves_and_saves_its_table_in_home()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = new LineWriter();
        var run = DhtNodeCommand.RunAsync(["--dht-port", "0", "--bind", "127.0.0.1"], stdout, TextWriter.Null,
            Env(("GITTORRENT_HOME", _home), ("GITTORRENT_BOOTSTRAP", Bootstrap)), limits: null, cts.Token);
        var line = await stdout.FirstLine.Task.WaitAsync(Timeout);
        var parts = line.Split(' ');
        Assert.Equal("listening", parts[0]);
        var endPoint = IPEndPoint.Parse(parts[1]);
        Assert.True(Engine.Hash20.TryParse(parts[2], out _));
        Assert.True(await _nodes[2].AddNode(endPoint).WaitAsync(cts.Token));
        await Task.Delay(1000, cts.Token); // its bootstrap lookup
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Timeout));
        var state = DhtStateFile.Load(Path.Combine(_home, DhtStateFile.FileName));
        Assert.NotNull(state);
        Assert.Equal(parts[2], state.Id.ToString());
        Assert.NotEmpty(state.Nodes);
    }

    [Fact]
    public void Options_follow_flags_then_environment_then_defaults()
    {
        Assert.True(DhtCommandOptions.TryParse([], Env(), out var defaults, out _));
        Assert.Equal(DhtCommandOptions.PublicRouters, defaults.Bootstrap);
        Assert.Equal(6881, defaults.Port);
        Assert.False(defaults.PortGiven);
        Assert.Equal(IPAddress.Any, defaults.Bind);
        Assert.EndsWith(".gittorrent", defaults.Home);

        Assert.True(DhtCommandOptions.TryParse([], Env(("GITTORRENT_BOOTSTRAP", ""), ("GITTORRENT_DHT_PORT", "0"), ("GITTORRENT_HOME", "/h")), out var env, out _));
        Assert.Empty(env.Bootstrap); // an empty value means none
        Assert.Equal(0, env.Port);
        Assert.True(env.PortGiven);
        Assert.Equal("/h", env.Home);

        Assert.True(DhtCommandOptions.TryParse(["--bootstrap", "a:1, b:2", "--dht-port=7000", "--bind", "127.0.0.1", "--home", "/x"],
            Env(("GITTORRENT_BOOTSTRAP", "c:3"), ("GITTORRENT_DHT_PORT", "9"), ("GITTORRENT_HOME", "/h")), out var flags, out _));
        Assert.Equal(["a:1", "b:2"], flags.Bootstrap);
        Assert.Equal(7000, flags.Port);
        Assert.Equal(IPAddress.Loopback, flags.Bind);
        Assert.Equal("/x", flags.Home);

        Assert.False(DhtCommandOptions.TryParse(["--dht-port", "70000"], Env(), out _, out var error));
        Assert.Contains("port", error);
        Assert.False(DhtCommandOptions.TryParse(["--bind", "nowhere"], Env(), out _, out _));
        Assert.False(DhtCommandOptions.TryParse(["--frobnicate"], Env(), out _, out _));
        Assert.False(DhtCommandOptions.TryParse(["--home"], Env(), out _, out _));
    }

    private static string Hash20Hex() => Engine.Hash20.Random().ToString();

    private sealed class LineWriter : StringWriter
    {
        public TaskCompletionSource<string> FirstLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            FirstLine.TrySetResult(value ?? "");
            return base.WriteLineAsync(value);
        }
    }
}
