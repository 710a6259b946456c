using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Interop.Tests.Dht;

/// <summary>Our DHT node and webtorrent's bittorrent-dht 11 (npm) on loopback, BEP 5 and BEP 44 both ways.</summary>
public sealed class BittorrentDhtInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<DhtNode> _ours = [];
    private ExternalPeer? _js;
    private int _jsPort;

    internal static string NodeModules() => Path.Combine(ExternalPeer.RepositoryRoot(), "tests", "Interop", "node", "node_modules");

    internal static void RequireBittorrentDht()
    {
        var modules = NodeModules();
        foreach (var package in new[] { "bittorrent-dht", "bittorrent-dht-sodium", "ed25519-supercop" })
        {
            if (!Directory.Exists(Path.Combine(modules, package)))
            {
                Assert.Fail($"npm package {package} is not installed in {modules}: run ./test.sh (npm ci in tests/Interop/node).");
            }
        }
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("node", ["--version"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            Assert.True(probe.WaitForExit(30_000) && probe.ExitCode == 0, "node does not run: run ./test.sh.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("node is not installed: run ./test.sh.");
        }
    }

    public async Task InitializeAsync()
    {
        RequireBittorrentDht();
        using var cts = new CancellationTokenSource(Timeout);
        for (var i = 0; i < 2; i++)
        {
            _ours.Add(await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback, QueryTimeout = TimeSpan.FromSeconds(2) }, null, cts.Token));
        }
        _jsPort = FreePorts.UdpAndTcp();
        _js = ExternalPeer.Start("node", [Path.Combine(AppContext.BaseDirectory, "Dht", "bt_dht_peer.mjs"), _jsPort.ToString(), NodeModules()]);
        await _js.ReadEventAsync("ready");
        var js = new IPEndPoint(IPAddress.Loopback, _jsPort);
        Assert.True(await _ours[1].AddNode(_ours[0].LocalEndPoint).WaitAsync(cts.Token));
        foreach (var node in _ours)
        {
            Assert.True(await node.AddNode(js).WaitAsync(cts.Token), "bittorrent-dht did not answer our ping. stderr: " + _js.StandardError);
            await _js.CallAsync(new { cmd = "add_node", port = node.LocalEndPoint.Port }, "ok");
        }
    }

    public async Task DisposeAsync()
    {
        _js?.Dispose();
        foreach (var node in _ours)
        {
            await node.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task Bittorrent_dht_verifies_and_reads_our_mutable_items()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var key = Ed25519Key.Generate();
        var put = await _ours[0].PutMutableAsync(key, new BString("hello from gittorrent").Encode(), 7, null, null, cts.Token);
        Assert.True(put.Stored >= 2, $"stored at {put.Stored}");
        var got = await _js!.CallAsync(new { cmd = "get_mutable", pk = Convert.ToHexStringLower(key.PublicKey), salt = "" }, "mutable");
        Assert.True((bool)got["found"]!, got.ToJsonString());
        Assert.Equal("hello from gittorrent", (string)got["value"]!);
        Assert.Equal(7, (long)got["seq"]!);

        var salt = Encoding.UTF8.GetBytes("repo");
        await _ours[1].PutMutableAsync(key, new BString("salted").Encode(), 1, salt, null, cts.Token);
        var salted = await _js.CallAsync(new { cmd = "get_mutable", pk = Convert.ToHexStringLower(key.PublicKey), salt = Convert.ToHexStringLower(salt) }, "mutable");
        Assert.Equal("salted", (string)salted["value"]!);
    }

    [Fact]
    public async Task We_verify_and_read_bittorrent_dht_mutable_items()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var seed = RandomNumberGenerator.GetBytes(32);
        using var key = Ed25519Key.FromSeed(seed);
        var put = await _js!.CallAsync(new { cmd = "put_mutable", seed = Convert.ToHexStringLower(seed), value = "hello from bittorrent-dht", seq = 4, salt = "" }, "put");
        Assert.True((int)put["success"]! >= 1, put.ToJsonString());
        Assert.Equal(key.UserId.ToString(), (string)put["target"]!);
        var item = await _ours[0].GetMutableAsync(key.UserId, null, cts.Token);
        Assert.NotNull(item);
        Assert.Equal(new BString("hello from bittorrent-dht").Encode(), item.Value);
        Assert.Equal(4, item.Sequence);

        var salt = Encoding.UTF8.GetBytes("s2");
        await _js.CallAsync(new { cmd = "put_mutable", seed = Convert.ToHexStringLower(seed), value = "salted by js", seq = 1, salt = Convert.ToHexStringLower(salt) }, "put");
        var salted = await _ours[1].GetMutableAsync(Bep44.MutableTarget(key.PublicKey, salt), salt, cts.Token);
        Assert.Equal(new BString("salted by js").Encode(), salted?.Value);
    }

    [Fact]
    public async Task Immutable_items_cross_both_ways()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ours = await _ours[0].PutImmutableAsync(new BString("immutable from gittorrent").Encode(), cts.Token);
        var got = await _js!.CallAsync(new { cmd = "get_immutable", target = ours.Target.ToString() }, "immutable");
        Assert.Equal("immutable from gittorrent", (string)got["value"]!);

        var theirs = await _js.CallAsync(new { cmd = "put_immutable", value = "immutable from js" }, "put");
        var target = Hash20.Parse((string)theirs["target"]!);
        Assert.Equal(new BString("immutable from js").Encode(), await _ours[1].GetImmutableAsync(target, cts.Token));
    }

    [Fact]
    public async Task Announces_are_found_both_ways()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ourHash = Hash20.Random();
        Assert.True((await _ours[0].AnnounceAsync(ourHash, 51413, cts.Token)).Stored >= 2);
        var peers = await _js!.CallAsync(new { cmd = "get_peers", infohash = ourHash.ToString() }, "peers");
        Assert.Contains("127.0.0.1:51413", peers["peers"]!.AsArray().Select(p => (string)p!));

        var theirHash = Hash20.Random();
        var announced = await _js.CallAsync(new { cmd = "announce", infohash = theirHash.ToString(), port = 6999 }, "ok");
        Assert.Null((string?)announced["error"]);
        var found = new List<IPEndPoint>();
        await foreach (var peer in _ours[1].FindPeersAsync(theirHash, cts.Token))
        {
            found.Add(peer);
        }
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 6999), found);
    }
}
