using GitTorrent.Engine;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.TestSupport;

/// <summary>A raw TCP peer driven byte by byte by a test, to misbehave on purpose.</summary>
public sealed class ScriptedPeer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private ScriptedPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static Hash20 PeerId { get; } = Hash20.Parse("2d5854303030312d" + "0102030405060708090a0b0c");

    /// <summary>Connects to <paramref name="endPoint"/>, from <paramref name="from"/> when given (attackers use 127.0.0.2).</summary>
    public static async Task<ScriptedPeer> ConnectAsync(IPEndPoint endPoint, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (from is not null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }
            await socket.ConnectAsync(endPoint).WaitAsync(Timeout);
            return new ScriptedPeer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The address attackers in tests connect from, so per-address limits leave the honest 127.0.0.1 alone.</summary>
    public static IPAddress AttackerAddress { get; } = IPAddress.Parse("127.0.0.2");

    public static async Task<ScriptedPeer> AcceptAsync(Socket listener) =>
        new(await listener.AcceptAsync().WaitAsync(Timeout));

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeout);

    public Task SendHandshakeAsync(Hash20 infoHash, ulong reserved = Handshake.ExtensionProtocolBit, Hash20? peerId = null)
    {
        var bytes = new byte[Handshake.Length];
        new Handshake(reserved, infoHash, peerId ?? PeerId).Encode(bytes);
        return SendAsync(bytes);
    }

    public static byte[] Message(MessageId id, params byte[] payload)
    {
        var bytes = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(1 + payload.Length));
        bytes[4] = (byte)id;
        payload.CopyTo(bytes, 5);
        return bytes;
    }

    public static byte[] Piece(int index, int begin, byte[] block)
    {
        var payload = new byte[8 + block.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)index);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), (uint)begin);
        block.CopyTo(payload, 8);
        return Message(MessageId.Piece, payload);
    }

    public async Task<byte[]?> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        try
        {
            await _stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Timeout);
            return buffer;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Reads one frame: (id, payload); null at end of stream. Keep-alives come back as id 255.</summary>
    public async Task<(MessageId Id, byte[] Payload)?> ReadMessageAsync()
    {
        var head = await ReadExactlyAsync(4);
        if (head is null)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(head);
        if (length == 0)
        {
            return ((MessageId)255, []);
        }
        var body = await ReadExactlyAsync(length);
        return body is null ? null : ((MessageId)body[0], body[1..]);
    }

    /// <summary>
    /// A liar: answers every request with zeros of the right size until the other side hangs up (it bans us); returns
    /// how many blocks it sent.
    /// </summary>
    public async Task<int> AnswerRequestsWithZerosAsync()
    {
        var answered = 0;
        while (await ReadMessageAsync() is { } message)
        {
            if (message.Id == MessageId.Request && Engine.Base.BlockRequest.TryDecode(message.Payload, out var request))
            {
                try
                {
                    await SendAsync(Piece(request.Piece, request.Begin, new byte[request.Length]));
                    answered++;
                }
                catch (IOException)
                {
                    break;
                }
            }
        }
        return answered;
    }

    /// <summary>Reads frames until none arrives for <paramref name="quiet"/> (or the stream ends).</summary>
    public async Task<List<(MessageId Id, byte[] Payload)>> ReadUntilQuietAsync(TimeSpan quiet)
    {
        var frames = new List<(MessageId Id, byte[] Payload)>();
        var head = new byte[4];
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                await _stream.ReadExactlyAsync(head, cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException)
            {
                return frames;
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(head);
            if (length == 0)
            {
                frames.Add(((MessageId)255, []));
                continue;
            }
            var body = await ReadExactlyAsync(length);
            if (body is null)
            {
                return frames;
            }
            frames.Add(((MessageId)body[0], body[1..]));
        }
    }

    /// <summary>True if the other side closes the connection within <paramref name="within"/> (reading and discarding meanwhile).</summary>
    public async Task<bool> IsClosedByRemoteAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
