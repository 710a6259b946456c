using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Bench.Dht;

/// <summary>
/// One node: fill it with immutable items over KRPC put, report memory, then measure queries answered
/// per second (a mix of ping, find_node, get_peers and get) from several client sockets in this process.
/// Run under `taskset -c 0` to hold node and clients to one core together.
/// </summary>
internal static class ThroughputBenchmark
{
    private const int Clients = 4;
    private const int Window = 64;

    public static async Task<int> RunAsync(int items, int seconds)
    {
        var baseline = Measure();
        await using var node = await DhtNode.StartAsync(new DhtOptions
        {
            BindAddress = IPAddress.Loopback,
            RateLimitPerSecond = 0, // one source sends far beyond any per-source limit
            MaxItemsPerAddress = items, // ... and puts every item
            UnverifiedAmplificationFactor = 0, // the clients never answer the node's pings: keep full answers
            MaxStoredItems = items,
            MaxStoredBytes = 1L << 30,
        }, null, CancellationToken.None);
        // Give the node a routing table so find_node/get_peers answers carry nodes like in the wild.
        var peers = new List<DhtNode>();
        for (var i = 0; i < 16; i++)
        {
            var peer = await DhtNode.StartAsync(new DhtOptions { BindAddress = IPAddress.Loopback }, null, CancellationToken.None);
            await node.AddNode(peer.LocalEndPoint);
            peers.Add(peer);
        }

        var fill = Stopwatch.StartNew();
        using (var client = new Client(node.LocalEndPoint))
        {
            var token = client.Token(node);
            var sent = 0;
            var answered = 0;
            while (answered < items)
            {
                while (sent < items && sent - answered < Window)
                {
                    var v = new BString(BitConverter.GetBytes((long)sent).Concat(new byte[92]).ToArray());
                    client.Send(KrpcMethod.Put, new BDictionary { ["id"] = client.Id, ["token"] = token, ["v"] = v });
                    sent++;
                }
                answered += client.Drain(block: true);
            }
        }
        await Task.Delay(500); // the statistics snapshot is refreshed after each batch the node handles
        var filled = Measure();
        Console.WriteLine($"stored {node.Statistics.ItemsStored} items ({node.Statistics.ItemBytesStored / 1024.0 / 1024.0:0.0} MiB counted) " +
            $"in {fill.Elapsed.TotalSeconds:0.0} s; managed heap {filled.Heap / 1048576.0:0.0} MiB " +
            $"(+{(filled.Heap - baseline.Heap) / 1048576.0:0.0}), working set {filled.WorkingSet / 1048576.0:0.0} MiB");

        var start = node.Statistics.ResponsesSent;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(seconds);
        var tasks = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Load(node.LocalEndPoint, c, duration))).ToArray();
        var answeredByClients = (await Task.WhenAll(tasks)).Sum();
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var answeredByNode = node.Statistics.ResponsesSent - start;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine($"throughput: {answeredByNode / elapsed:0} queries/s answered by the node " +
            $"({answeredByClients / elapsed:0}/s received back by {Clients} clients, window {Window} each) over {elapsed:0.0} s, " +
            $"{Environment.ProcessorCount} processor(s) visible; {allocated / (double)Math.Max(1, answeredByNode):0} bytes allocated per query (node and clients)");
        var end = Measure();
        Console.WriteLine($"after load: managed heap {end.Heap / 1048576.0:0.0} MiB, working set {end.WorkingSet / 1048576.0:0.0} MiB, " +
            $"gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        foreach (var peer in peers)
        {
            await peer.DisposeAsync();
        }
        return 0;
    }

    private static long Load(IPEndPoint node, int index, TimeSpan duration)
    {
        using var client = new Client(node);
        var target = Hash20.Random().ToArray();
        var stopwatch = Stopwatch.StartNew();
        long sent = 0, answered = 0;
        var methods = new[] { KrpcMethod.Ping, KrpcMethod.FindNode, KrpcMethod.GetPeers, KrpcMethod.Get };
        while (stopwatch.Elapsed < duration)
        {
            while (sent - answered < Window)
            {
                var method = methods[(sent + index) % methods.Length];
                var args = new BDictionary { ["id"] = client.Id };
                switch (method)
                {
                    case KrpcMethod.FindNode:
                    case KrpcMethod.Get:
                        args["target"] = target;
                        break;
                    case KrpcMethod.GetPeers:
                        args["info_hash"] = target;
                        break;
                }
                client.Send(method, args);
                sent++;
            }
            var got = client.Drain(block: true);
            if (got == 0)
            {
                sent = answered; // lost datagrams: reopen the window
            }
            answered += got;
        }
        return answered;
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private sealed class Client : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly IPEndPoint _node;
        private readonly ArrayBufferWriter<byte> _buffer = new(2048);
        private readonly byte[] _receive = new byte[4096];
        private ushort _transaction;

        public Client(IPEndPoint node)
        {
            _node = node;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveBufferSize = 4 << 20;
            _socket.ReceiveTimeout = 200;
        }

        public byte[] Id { get; } = Hash20.Random().ToArray();

        public byte[] Token(DhtNode node)
        {
            for (var attempt = 0; ; attempt++)
            {
                Send(KrpcMethod.Get, new BDictionary { ["id"] = Id, ["target"] = Id });
                try
                {
                    int n;
                    do
                    {
                        n = _socket.Receive(_receive);
                    }
                    while (!IsReply(n));
                    KrpcMessage.TryDecode(_receive.AsMemory(0, n), out var reply);
                    return reply.Body!.Get<BString>("token")!.Span.ToArray();
                }
                catch (SocketException) when (attempt < 50)
                {
                    // the node is still warming up
                }
            }
        }

        public void Send(KrpcMethod method, BDictionary args)
        {
            _buffer.ResetWrittenCount();
            Span<byte> tid = stackalloc byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(tid, _transaction++);
            KrpcWriter.WriteQuery(_buffer, tid, method, args, default);
            _socket.SendTo(_buffer.WrittenSpan, SocketFlags.None, _node);
        }

        /// <summary>Receives every reply waiting (blocking for the first one up to 200 ms).</summary>
        public int Drain(bool block)
        {
            var count = 0;
            try
            {
                if (block)
                {
                    count += IsReply(_socket.Receive(_receive)) ? 1 : 0;
                }
                while (_socket.Available > 0)
                {
                    count += IsReply(_socket.Receive(_receive)) ? 1 : 0;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut || e.SocketErrorCode == SocketError.WouldBlock)
            {
                // nothing more
            }
            return count;
        }

        /// <summary>
        /// Not the node's ping checking our address (it pings a new querier once; the client does not answer):
        /// the node writes "y" last, so a query ends in "1:y1:qe". Cheaper than decoding every answer.
        /// </summary>
        private bool IsReply(int length) => length < 2 || _receive[length - 2] != (byte)'q';

        public void Dispose() => _socket.Dispose();
    }
}
