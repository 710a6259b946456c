using System.Buffers;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>A scripted KRPC peer on a bare UDP socket, for sending exactly the bytes a test wants.</summary>
internal sealed class RawKrpcClient : IDisposable
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private ushort _nextTransaction = 1;

    public RawKrpcClient()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public Hash20 Id { get; } = Hash20.Random();

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
            if (KrpcMessage.TryDecode(receive.AsMemory(0, result.ReceivedBytes), out var message)
                && message.TransactionId.Span.SequenceEqual(tid))
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

    public void Respond(KrpcMessage query, IPEndPoint to, BDictionary body)
    {
        body["id"] ??= Id.ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.WriteResponse(buffer, query.TransactionId.Span, body, to, default);
        SendRaw(buffer.WrittenSpan, to);
    }

    public void Dispose() => _socket.Dispose();
}
