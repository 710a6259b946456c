using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Lookups;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>A get_peers lookup driven by hand: a host that records queries and a clock the test moves.</summary>
public sealed class LookupOperationTests
{
    private sealed class ScriptedHost : ILookupHost
    {
        public Hash20 Id { get; } = Hash20.Random();

        public long NowMs { get; set; }

        public AddressFamily AddressFamily => AddressFamily.InterNetwork;

        public List<PendingQuery> Sent { get; } = [];

        public bool Finished { get; private set; }

        public bool SendQuery(KrpcMethod method, BDictionary arguments, Hash20? nodeId, IPEndPoint endPoint, IQueryObserver observer, object? state)
        {
            Sent.Add(new PendingQuery(method, nodeId, endPoint, observer, state) { SentAt = NowMs });
            return true;
        }

        public void LookupFinished(LookupOperation operation) => Finished = true;

        public PendingQuery To(DhtContact contact) => Sent.Single(q => q.EndPoint.Equals(contact.EndPoint));
    }

    private static DhtContact Contact(int port) => new(Hash20.Random(), new IPEndPoint(IPAddress.Loopback, port));

    private static KrpcMessage Response(BDictionary body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.WriteResponse(buffer, [1, 2], body, null, []);
        Assert.True(KrpcMessage.TryDecode(buffer.WrittenMemory.ToArray(), out var message));
        return message;
    }

    private static BDictionary Nodes(params DhtContact[] contacts) => new()
    {
        ["id"] = Hash20.Random().ToArray(),
        ["token"] = "tk"u8.ToArray(),
        ["nodes"] = CompactEncoding.EncodeNodes(contacts, AddressFamily.InterNetwork),
    };

    /// <summary>Runs the clock in 100 ms ticks, as the node does, until the lookup finishes or <paramref name="until"/>.</summary>
    private static void TickUntil(ScriptedHost host, LookupOperation lookup, long until, Action<long>? at = null)
    {
        while (!host.Finished && host.NowMs < until)
        {
            host.NowMs += 100;
            at?.Invoke(host.NowMs);
            lookup.Tick(host.NowMs);
        }
    }

    [Fact]
    public async Task A_live_node_slower_than_the_threshold_still_delivers_its_peers_when_nothing_else_was_found()
    {
        var host = new ScriptedHost { NowMs = 1_000 };
        var lookup = new LookupOperation(host, LookupKind.GetPeers, Hash20.Random(), new DhtOptions());
        var peers = Channel.CreateUnbounded<IPEndPoint>();
        lookup.PeerSink = peers.Writer;
        var (fast, slow, departed) = (Contact(1), Contact(2), Contact(3));
        lookup.Start([fast]);
        host.NowMs += 1;
        lookup.OnResponse(host.To(fast), Response(Nodes(slow, departed))); // 1 ms: the threshold drops to its floor (100 ms)
        Assert.Equal(3, host.Sent.Count);
        var seeder = new IPEndPoint(IPAddress.Loopback, 30000);
        // The slow node answers 180 ms after it was asked: after it was set aside (100 ms), within one more threshold.
        TickUntil(host, lookup, 1_101);
        Assert.False(host.Finished, "the lookup ended before a node set aside as slow had one more threshold to answer");
        host.NowMs = 1_181;
        var body = Nodes();
        body["values"] = new BList { new BString(CompactEncoding.EncodePeer(seeder)) };
        lookup.OnResponse(host.To(slow), Response(body));
        TickUntil(host, lookup, 5_000);
        Assert.True(host.Finished);
        Assert.True(peers.Reader.TryRead(out var found));
        Assert.Equal(seeder, found);
        Assert.Equal(1, (await lookup.Completion.Task.WaitAsync(TimeSpan.FromSeconds(10))).PeerCount);
    }

    [Fact]
    public async Task Departed_nodes_cost_one_more_threshold_not_the_full_query_timeout()
    {
        var host = new ScriptedHost { NowMs = 1_000 };
        var options = new DhtOptions();
        var lookup = new LookupOperation(host, LookupKind.GetPeers, Hash20.Random(), options);
        var live = Contact(1);
        var gone = Enumerable.Range(2, 6).Select(Contact).ToArray();
        lookup.Start([live]);
        host.NowMs += 1;
        lookup.OnResponse(host.To(live), Response(Nodes(gone)));
        TickUntil(host, lookup, 10_000);
        Assert.True(host.Finished);
        // Two waves (alpha 5 of the 6, then the sixth) go slow after 100-200 ms each; then one more threshold of patience.
        var elapsed = (await lookup.Completion.Task.WaitAsync(TimeSpan.FromSeconds(10))).Elapsed;
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600));
        Assert.True(elapsed < options.QueryTimeout, $"{elapsed} waited for the full timeout");
    }
}
