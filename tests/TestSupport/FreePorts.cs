using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// Ports on 127.0.0.1 that were free a moment ago, for a server a test must name before it starts (a portal's
/// <c>--urls</c>, a DHT node others are told of, a closed port a client must fail against). The one place tests
/// and benches get one.
/// </summary>
public static class FreePorts
{
    /// <summary>A TCP port free on 127.0.0.1 a moment ago.</summary>
    public static int Tcp() => BindAndRelease(SocketType.Stream, ProtocolType.Tcp, 0);

    /// <summary>A UDP port free on 127.0.0.1 a moment ago.</summary>
    public static int Udp() => BindAndRelease(SocketType.Dgram, ProtocolType.Udp, 0);

    /// <summary>A port free for both UDP and TCP (a BitTorrent client binds its DHT and its listener on one port).</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Udp();
            try
            {
                return BindAndRelease(SocketType.Stream, ProtocolType.Tcp, port);
            }
            catch (SocketException)
            {
                // taken for TCP: try another
            }
        }
        throw new InvalidOperationException("no port on 127.0.0.1 was free for both UDP and TCP in 50 tries");
    }

    private static int BindAndRelease(SocketType type, ProtocolType protocol, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
