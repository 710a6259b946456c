using System.Net;
using System.Reflection;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A datagram as a running <see cref="DhtNode"/> handles it: decode, rate limit, routing table, then the query handlers
/// (ping, find_node, get_peers, announce_peer, get, put) or the reply path. The node is real, bound to 127.0.0.1 with a
/// fake clock, and keeps its state from one input to the next, as a node on the internet does; its answers go to
/// 127.0.0.2, where nobody listens. Bad input is dropped and counted by the node; any exception is a bug (on the node
/// loop it would be logged as a failure of the loop). The node's private <c>HandleDatagram</c> is called directly so that
/// the exception reaches the fuzzer instead of the loop's log.
/// </summary>
public static class DhtNodeTarget
{
    private static readonly Lazy<Action<ReadOnlyMemory<byte>, IPEndPoint>> Handle = new(Start);
    private static int s_port;

    public static void Run(byte[] input)
    {
        var port = 1024 + (s_port++ % 60_000);
        Handle.Value(input, new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
    }

    private static Action<ReadOnlyMemory<byte>, IPEndPoint> Start()
    {
        var node = DhtNode.StartAsync(new DhtOptions
        {
            BindAddress = IPAddress.Loopback,
            NodeId = Hash20.Sha1("fuzz"u8),
            TimeProvider = new FakeTimeProvider(),
            RateLimitPerSecond = 0,
        }, null, CancellationToken.None).GetAwaiter().GetResult();
        var method = typeof(DhtNode).GetMethod("HandleDatagram", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(ReadOnlyMemory<byte>), typeof(IPEndPoint)])
            ?? throw new InvalidOperationException("DhtNode.HandleDatagram(ReadOnlyMemory<byte>, IPEndPoint) is gone: update DhtNodeTarget.");
        return method.CreateDelegate<Action<ReadOnlyMemory<byte>, IPEndPoint>>(node);
    }
}
