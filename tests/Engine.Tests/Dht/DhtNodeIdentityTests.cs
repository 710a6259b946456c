using System.Net;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

public sealed class DhtNodeIdentityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gt-dht-id-" + Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task A_known_external_address_gives_a_bep42_id_that_survives_restarts()
    {
        var external = IPAddress.Parse("203.0.113.77");
        Hash20 first;
        await using (var node = await DhtNode.StartAsync(TestNetwork.Options(o =>
        {
            o.ExternalAddress = external;
            o.StateDirectory = _directory;
        }), null, CancellationToken.None).WaitAsync(Timeout))
        {
            first = node.Id;
            Assert.True(NodeIdGenerator.IsValid(first, external));
        }
        await using (var again = await DhtNode.StartAsync(TestNetwork.Options(o => o.StateDirectory = _directory), null, CancellationToken.None).WaitAsync(Timeout))
        {
            Assert.Equal(first, again.Id); // the address was saved with the id
            Assert.Equal(external, again.ExternalAddress);
        }
        // A saved id that does not fit a newly known address is replaced by one that does.
        var moved = IPAddress.Parse("198.51.100.3");
        new DhtStateFile(first, moved, []).Save(Path.Combine(_directory, DhtStateFile.FileName));
        await using var renewed = await DhtNode.StartAsync(TestNetwork.Options(o => o.StateDirectory = _directory), null, CancellationToken.None).WaitAsync(Timeout);
        Assert.NotEqual(first, renewed.Id);
        Assert.True(NodeIdGenerator.IsValid(renewed.Id, moved));
    }

    [Fact]
    public void Pending_queries_are_bounded_and_replies_must_come_from_the_queried_endpoint()
    {
        var table = new TransactionTable(16);
        var to = new IPEndPoint(IPAddress.Loopback, 7000);
        var queries = Enumerable.Range(0, 20).Select(_ => new PendingQuery(KrpcMethod.Ping, null, to, null, null) { Deadline = 100 }).ToList();
        Assert.Equal(16, queries.Count(table.TryAdd));
        Assert.Equal(16, table.Count);
        Span<byte> tid = stackalloc byte[2];
        TransactionTable.WriteId(queries[0].TransactionId, tid);
        Assert.False(table.TryComplete(tid, new IPEndPoint(IPAddress.Loopback, 7001), out _)); // someone else guessing
        Assert.True(table.TryComplete(tid, to, out var completed));
        Assert.Same(queries[0], completed);
        Assert.False(table.TryComplete(tid, to, out _)); // only once
        var expired = new List<PendingQuery>();
        table.RemoveExpired(99, expired);
        Assert.Empty(expired);
        table.RemoveExpired(100, expired);
        Assert.Equal(15, expired.Count);
        Assert.Equal(0, table.Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
