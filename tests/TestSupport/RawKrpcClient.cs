using GitTorrent.Engine;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.TestSupport;

/// <summary>
/// A scripted KRPC peer on a bare UDP socket, for sending exactly the bytes a test wants. Bound to 127.0.0.1 by
/// default; attackers bind <see cref="AttackerAddress"/> so per-address limits do not touch the honest clients.
/// </summary>
public sealed class RawKrpcClient : IDisposable
{
    public static readonly IPAddress AttackerAddress = IPAddress.Parse("127.0.0.2");

    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private ushort _nextTransaction = 1;

    public RawKrpcClient(IPAddress? bind = null, Hash20? id = null)
    {
        _socket.Bind(new IPEndPoint(bind ?? IPAddress.Loopback, 0));
        Id = id ?? Hash20.Random();
    }

    public Hash20 Id { get; }

    /// <summary>While waiting for a reply, answer the pings that arrive (the node checking our address).</summary>
    public bool AnswerPings { get; init; }

    /// <summary>Size in bytes of the last reply <see cref="ReceiveReplyAsync"/> returned.</summary>
    public int LastReplyLength { get; private set; }

    /// <summary>Bytes of every query sent so far.</summary>
    public long BytesSent { get; private set; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void SendRaw(ReadOnlySpan<byte> datagram, IPEndPoint to) => _socket.SendTo(datagram, SocketFlags.None, to);

    /// <summary>Sends a query and returns the reply with the same transaction id.</summary>
    public async Task<KrpcMessage> QueryAsync(IPEndPoint to, KrpcMethod method, BDictionary arguments)
    {
        arguments["id"] ??= Id.ToArray();
        var tid = new byte[] { (byte)(_nextTransaction >> 8), (byte)_nextTransaction };
        _nextTransaction++;
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.WriteQuery(buffer, tid, method, arguments, default);
        SendRaw(buffer.WrittenSpan, to);
        BytesSent += buffer.WrittenCount;
        return await ReceiveReplyAsync(tid);
    }

    /// <summary>Waits for the reply carrying transaction id <paramref name="tid"/>.</summary>
    public async Task<KrpcMessage> ReceiveReplyAsync(byte[] tid)
    {
        using var cts = new CancellationTokenSource(ReceiveTimeout);
        while (true)
        {
            var receive = new byte[4096];
            var result = await _socket.ReceiveFromAsync(receive, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            if (!KrpcMessage.TryDecode(receive.AsMemory(0, result.ReceivedBytes), out var message))
            {
                continue;
            }
            if (message.Type == KrpcMessageType.Query)
            {
                if (AnswerPings && message.Method == KrpcMethod.Ping)
                {
                    Respond(message, (IPEndPoint)result.RemoteEndPoint, new BDictionary());
                }
            }
            else if (message.TransactionId.Span.SequenceEqual(tid))
            {
                LastReplyLength = result.ReceivedBytes;
                return message;
            }
        }
    }

    /// <summary>Receives the next well-formed reply or error, whatever its transaction id.</summary>
    public async Task<KrpcMessage> ReceiveAnyReplyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var receive = new byte[4096];
            var result = await _socket.ReceiveFromAsync(receive, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            if (KrpcMessage.TryDecode(receive.AsMemory(0, result.ReceivedBytes), out var message) && message.Type != KrpcMessageType.Query)
            {
                return message;
            }
        }
    }

    /// <summary>Receives one query (for scripted responders).</summary>
    public async Task<(KrpcMessage Query, IPEndPoint From)> ReceiveQueryAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var receive = new byte[4096];
            var result = await _socket.ReceiveFromAsync(receive, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            if (KrpcMessage.TryDecode(receive.AsMemory(0, result.ReceivedBytes), out var message) && message.Type == KrpcMessageType.Query)
            {
                return (message, (IPEndPoint)result.RemoteEndPoint);
            }
        }
    }

    /// <summary>Waits for the next ping and answers it; returns who sent it.</summary>
    public async Task<IPEndPoint> AnswerOnePingAsync(CancellationToken cancellationToken, IPEndPoint? claimObserved = null)
    {
        while (true)
        {
            var (query, from) = await ReceiveQueryAsync(cancellationToken);
            if (query.Method == KrpcMethod.Ping)
            {
                Respond(query, from, new BDictionary(), claimObserved);
                return from;
            }
        }
    }

    /// <summary>Answers <paramref name="query"/>; "ip" (BEP 42) is <paramref name="observed"/>, else the querier's endpoint.</summary>
    public void Respond(KrpcMessage query, IPEndPoint to, BDictionary body, IPEndPoint? observed = null)
    {
        body["id"] ??= Id.ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.WriteResponse(buffer, query.TransactionId.Span, body, observed ?? to, default);
        SendRaw(buffer.WrittenSpan, to);
    }

    public void Dispose() => _socket.Dispose();
}
