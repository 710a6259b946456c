using System.Net;
using System.Net.Sockets;

namespace GitTorrent.Interop.Tests.Wire;

internal static class FreePort
{
    /// <summary>A TCP port that was free on 127.0.0.1 a moment ago.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
