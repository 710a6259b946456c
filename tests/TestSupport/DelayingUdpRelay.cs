using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// Latency for UDP on loopback (netem is not available here, PEERS.md "Departed nodes and latency"): every endpoint
/// behind the relay gets a public endpoint on 127.0.0.1, and a datagram sent to a public endpoint reaches the real one
/// <see cref="Delay"/> later, sent from the sender's own public endpoint. So two relayed nodes see each other only at
/// public endpoints and every exchange between them takes two delays. A sender the relay does not know (a client
/// process) gets a public endpoint on its first datagram. A datagram for an endpoint that went away is lost, as on the
/// internet.
/// </summary>
public sealed class DelayingUdpRelay : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, Port> _byReal = new();
    private readonly ConcurrentDictionary<IPEndPoint, Port> _byPublic = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();

    public DelayingUdpRelay(TimeSpan delay) => Delay = delay;

    /// <summary>One-way delay added to every datagram.</summary>
    public TimeSpan Delay { get; }

    /// <summary>Datagrams delivered so far.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    private long _relayed;

    /// <summary>The public endpoint of <paramref name="real"/> (made on first use).</summary>
    public IPEndPoint Expose(IPEndPoint real)
    {
        ArgumentNullException.ThrowIfNull(real);
        using var scope = _lock.EnterScope();
        if (_byReal.TryGetValue(real, out var known))
        {
            return known.Public;
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = new Port(real, (IPEndPoint)socket.LocalEndPoint!, socket);
        _byReal[real] = port;
        _byPublic[port.Public] = port;
        _ = ReceiveLoopAsync(port);
        return port.Public;
    }

    private async Task ReceiveLoopAsync(Port port)
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await port.Socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier datagram: the destination left
            }
            // A datagram for port.Real from a real sender: deliver it later, from the sender's public endpoint.
            var from = Expose((IPEndPoint)received.RemoteEndPoint);
            var payload = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            _ = DeliverAsync(_byPublic[from], payload, port.Real);
        }
    }

    private async Task DeliverAsync(Port from, byte[] payload, IPEndPoint to)
    {
        try
        {
            await Task.Delay(Delay, _stop.Token);
            await from.Socket.SendToAsync(payload, SocketFlags.None, to, _stop.Token);
            Interlocked.Increment(ref _relayed);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped, or the destination is gone: the datagram is lost.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var port in _byReal.Values)
        {
            port.Socket.Dispose();
        }
        _stop.Dispose();
    }

    private sealed record Port(IPEndPoint Real, IPEndPoint Public, Socket Socket);
}
