using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// A TCP relay on loopback that passes a slow link's worth of bytes per second from the server to the client (what a
/// distant origin looks like), so a mirror sync lasts long enough to kill the replica running it; with
/// <c>bytesPerSecond</c> = 0 it does not throttle. Either way it counts the bytes the client received.
/// </summary>
public sealed class ThrottledRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly int targetPort;
    private readonly int bytesPerSecond;
    private readonly Task accepting;

    public ThrottledRelay(int targetPort, int bytesPerSecond)
    {
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    private long toClient;

    /// <summary>Bytes passed from the server to clients so far (HTTP headers and framing included).</summary>
    public long BytesToClient => Interlocked.Read(ref toClient);

    private int disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
                var up = client.GetStream().CopyToAsync(server.GetStream(), stop.Token);
                var down = ThrottleAsync(server.GetStream(), client.GetStream());
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away.
            }
        }
    }

    private async Task ThrottleAsync(Stream from, Stream to)
    {
        var buffer = new byte[Math.Max(1024, bytesPerSecond == 0 ? 64 * 1024 : bytesPerSecond / 20)];
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            Interlocked.Add(ref toClient, read);
            if (bytesPerSecond > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)read / bytesPerSecond), stop.Token);
            }
        }
    }
}
