using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// HttpClients whose sockets come from a chosen loopback address (attackers use 127.0.0.2 and up, so per-address limits
/// never hit the honest client on 127.0.0.1), with their own cookies and no automatic redirects.
/// </summary>
public static class BoundClient
{
    public static HttpClient Create(Uri baseAddress, IPAddress local, out CookieContainer cookies, TimeSpan? timeout = null, bool useCookies = true)
    {
        cookies = new CookieContainer();
        var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            UseCookies = useCookies,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(90) };
    }

    public static HttpClient Create(Uri baseAddress, string local, out CookieContainer cookies) =>
        Create(baseAddress, IPAddress.Parse(local), out cookies);
}
