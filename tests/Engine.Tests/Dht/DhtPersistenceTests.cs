using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Items;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class DhtPersistenceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gt-dht-" + Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task A_restarted_node_keeps_its_id_and_rejoins_without_bootstrap()
    {
        await using var network = await TestNetwork.StartAsync(10);
        using var cts = new CancellationTokenSource(Timeout);
        var first = await DhtNode.StartAsync(TestNetwork.Options(o => o.StateDirectory = _directory), null, cts.Token);
        // The table size is read as soon as each operation completes: an answered ping and a finished lookup are
        // already counted then (no waiting for the node loop to publish its statistics later).
        var connected = 0;
        foreach (var node in network.Nodes.Take(3))
        {
            Assert.True(await TestNetwork.ConnectAsync(first, node.LocalEndPoint));
            Assert.Equal(++connected, first.RoutingTableSize);
        }
        await first.BootstrapAsync(cts.Token);
        var id = first.Id;
        var known = first.RoutingTableSize;
        Assert.True(known >= 8, $"{known} nodes after bootstrap");
        await first.DisposeAsync();
        Assert.True(File.Exists(Path.Combine(_directory, DhtStateFile.FileName)));

        // No bootstrap list, no hand-fed nodes: only the saved table.
        await using var second = await DhtNode.StartAsync(TestNetwork.Options(o => o.StateDirectory = _directory), null, cts.Token);
        Assert.Equal(id, second.Id);
        await second.BootstrapAsync(cts.Token);
        Assert.True(second.RoutingTableSize >= 8, $"{second.RoutingTableSize} nodes after restart");

        using var key = Ed25519Key.Generate();
        var put = await network.Nodes[5].PutMutableAsync(key, new BString("after restart").Encode(), 1, null, null, cts.Token);
        Assert.True(put.Stored > 0);
        var got = await second.GetMutableAsync(key.UserId, null, cts.Token);
        Assert.Equal(new BString("after restart").Encode(), got?.Value);
    }

    [Fact]
    public void State_file_round_trips_and_garbage_is_refused()
    {
        var state = new DhtStateFile(Hash20.Random(), System.Net.IPAddress.Parse("203.0.113.5"),
        [
            new DhtContact(Hash20.Random(), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7000)),
            new DhtContact(Hash20.Random(), new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 7001)),
        ]);
        var path = Path.Combine(_directory, "state");
        state.Save(path);
        var loaded = DhtStateFile.Load(path);
        Assert.NotNull(loaded);
        Assert.Equal(state.Id, loaded.Id);
        Assert.Equal(state.ExternalAddress, loaded.ExternalAddress);
        Assert.Equal(state.Nodes, loaded.Nodes);
        File.WriteAllText(path, "not bencode");
        Assert.Null(DhtStateFile.Load(path));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
