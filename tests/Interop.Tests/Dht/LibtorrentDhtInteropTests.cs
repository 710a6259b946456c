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

/// <summary>Our DHT node and libtorrent 2.0 (python3-libtorrent) on loopback, BEP 5 and BEP 44 both ways.</summary>
public sealed class LibtorrentDhtInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Python = "/usr/bin/python3";

    private readonly List<DhtNode> _ours = [];
    private ExternalPeer? _libtorrent;
    private int _libtorrentPort;

    public async Task InitializeAsync()
    {
        RequireLibtorrent();
        using var cts = new CancellationTokenSource(Timeout);
        for (var i = 0; i < 2; i++)
        {
            _ours.Add(await DhtNode.StartAsync(new DhtOptions
            {
                BindAddress = IPAddress.Loopback,
                QueryTimeout = TimeSpan.FromSeconds(2),
            }, null, cts.Token));
        }
        _libtorrentPort = FreePorts.UdpAndTcp();
        _libtorrent = ExternalPeer.Start(Python, [Path.Combine(AppContext.BaseDirectory, "Dht", "lt_dht_peer.py"), _libtorrentPort.ToString()]);
        await _libtorrent.ReadEventAsync("ready");
        var lt = new IPEndPoint(IPAddress.Loopback, _libtorrentPort);
        Assert.True(await _ours[1].AddNode(_ours[0].LocalEndPoint).WaitAsync(cts.Token));
        foreach (var node in _ours)
        {
            Assert.True(await node.AddNode(lt).WaitAsync(cts.Token), "libtorrent did not answer our ping. stderr: " + _libtorrent.StandardError);
            await _libtorrent.CallAsync(new { cmd = "add_node", port = node.LocalEndPoint.Port }, "ok");
        }
        await Task.Delay(500, cts.Token); // let libtorrent's pings to us complete
    }

    public async Task DisposeAsync()
    {
        _libtorrent?.Dispose();
        foreach (var node in _ours)
        {
            await node.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    internal static void RequireLibtorrent()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing: run ./test.sh to install python3-libtorrent.");
        }
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import libtorrent, cryptography"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        if (!probe.WaitForExit(30_000) || probe.ExitCode != 0)
        {
            Assert.Fail("python3-libtorrent or python3-cryptography is not installed: run ./test.sh. " + probe.StandardError.ReadToEnd());
        }
    }

    [Fact]
    public async Task Libtorrent_verifies_and_reads_our_mutable_items()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var key = Ed25519Key.Generate();
        var put = await _ours[0].PutMutableAsync(key, new BString("hello from gittorrent").Encode(), 3, null, null, cts.Token);
        Assert.True(put.Stored >= 2, $"stored at {put.Stored}");
        var got = await _libtorrent!.CallAsync(new { cmd = "get_mutable", pk = Convert.ToHexStringLower(key.PublicKey), salt = "" }, "mutable");
        Assert.True((bool)got["found"]!, got.ToJsonString());
        Assert.Equal(3, (long)got["seq"]!);
        Assert.Equal("hello from gittorrent", (string)got["value"]!);

        var salt = Encoding.UTF8.GetBytes("repo");
        await _ours[1].PutMutableAsync(key, new BString("salted").Encode(), 1, salt, null, cts.Token);
        var salted = await _libtorrent.CallAsync(new { cmd = "get_mutable", pk = Convert.ToHexStringLower(key.PublicKey), salt = Convert.ToHexStringLower(salt) }, "mutable");
        Assert.Equal("salted", (string)salted["value"]!);
    }

    [Fact]
    public async Task We_verify_and_read_libtorrent_mutable_items()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var seed = RandomNumberGenerator.GetBytes(32);
        using var key = Ed25519Key.FromSeed(seed);
        var put = await _libtorrent!.CallAsync(new { cmd = "put_mutable", seed = Convert.ToHexStringLower(seed), value = "hello from libtorrent", salt = "" }, "put");
        Assert.True((int)put["success"]! >= 1, put.ToJsonString());
        var item = await _ours[0].GetMutableAsync(key.UserId, null, cts.Token);
        Assert.NotNull(item);
        Assert.Equal(new BString("hello from libtorrent").Encode(), item.Value);
        Assert.Equal((long)put["seq"]!, item.Sequence);
        Assert.Equal(key.PublicKey, item.PublicKey);

        var salt = Encoding.UTF8.GetBytes("s1");
        await _libtorrent.CallAsync(new { cmd = "put_mutable", seed = Convert.ToHexStringLower(seed), value = "salted by libtorrent", salt = Convert.ToHexStringLower(salt) }, "put");
        var salted = await _ours[1].GetMutableAsync(Bep44.MutableTarget(key.PublicKey, salt), salt, cts.Token);
        Assert.Equal(new BString("salted by libtorrent").Encode(), salted?.Value);
    }

    [Fact]
    public async Task Immutable_items_cross_both_ways()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ours = await _ours[0].PutImmutableAsync(new BString("immutable from gittorrent").Encode(), cts.Token);
        Assert.True(ours.Stored >= 1);
        var got = await _libtorrent!.CallAsync(new { cmd = "get_immutable", target = ours.Target.ToString() }, "immutable");
        Assert.Equal("immutable from gittorrent", (string)got["value"]!);

        var theirs = await _libtorrent.CallAsync(new { cmd = "put_immutable", value = "immutable from libtorrent" }, "put");
        var target = Hash20.Parse((string)theirs["target"]!);
        Assert.Equal(Bep44.ImmutableTarget(new BString("immutable from libtorrent").Encode()), target);
        Assert.Equal(new BString("immutable from libtorrent").Encode(), await _ours[1].GetImmutableAsync(target, cts.Token));
    }

    [Fact]
    public async Task Announces_are_found_both_ways()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var ourHash = Hash20.Random();
        var announce = await _ours[0].AnnounceAsync(ourHash, 51413, cts.Token);
        Assert.True(announce.Stored >= 2, $"announced to {announce.Stored}");
        var peers = await _libtorrent!.CallAsync(new { cmd = "get_peers", infohash = ourHash.ToString() }, "peers");
        Assert.Contains("127.0.0.1:51413", peers["peers"]!.AsArray().Select(p => (string)p!));

        var theirHash = Hash20.Random();
        var announced = await _libtorrent.CallAsync(new { cmd = "announce", infohash = theirHash.ToString() }, "ok");
        Assert.True((bool)announced["replied"]!, announced.ToJsonString());
        var found = new List<IPEndPoint>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!found.Any(p => p.Port == _libtorrentPort) && DateTime.UtcNow < deadline)
        {
            await foreach (var peer in _ours[1].FindPeersAsync(theirHash, cts.Token))
            {
                found.Add(peer);
            }
            await Task.Delay(500, cts.Token);
        }
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, _libtorrentPort), found);
    }
}
