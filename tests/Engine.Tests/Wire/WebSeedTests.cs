using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Torrents;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Wire;

/// <summary>BEP 19: a download served only by an HTTP server that honours Range requests.</summary>
public sealed class WebSeedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A tiny HTTP/1.1 file server with Range support; <paramref name="corrupt"/> flips bytes it sends;
    /// <paramref name="served"/> is called after each response.
    /// </summary>
    private static async Task ServeAsync(TcpListener listener, byte[] content, bool corrupt, CancellationToken ct, Action? served = null)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var c = client;
                var stream = c.GetStream();
                var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync(ct) is { } requestLine && requestLine.Length > 0)
                {
                    long from = 0, to = content.Length - 1;
                    string? line;
                    while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(ct)))
                    {
                        if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))
                        {
                            var parts = line["Range: bytes=".Length..].Split('-');
                            from = long.Parse(parts[0]);
                            to = long.Parse(parts[1]);
                        }
                    }
                    var body = content.AsSpan((int)from, (int)(to - from + 1)).ToArray();
                    if (corrupt)
                    {
                        Array.Reverse(body);
                    }
                    var head = $"HTTP/1.1 206 Partial Content\r\nContent-Length: {body.Length}\r\nContent-Range: bytes {from}-{to}/{content.Length}\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), ct);
                    await stream.WriteAsync(body, ct);
                    served?.Invoke();
                }
            }, ct);
        }
    }

    [Fact]
    public async Task Downloads_from_a_web_seed_alone()
    {
        using var files = new TestFiles();
        var source = files.Create("web.bin", (5 * 1024 * 1024) + 17, seed: 19);
        var content = await File.ReadAllBytesAsync(source);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource();
        var server = ServeAsync(listener, content, corrupt: false, cts.Token);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var metainfo = await TorrentMetainfo.CreateAsync(source, urlList: [$"http://127.0.0.1:{port}/packs/"]).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = files.PathOf("from-web.bin");
        await leecher.DownloadAsync(metainfo, target, null, null, default).WaitAsync(Timeout);

        Assert.True(TestFiles.SameContent(source, target));
        await cts.CancelAsync();
        listener.Stop();
        await server.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_web_seed_serving_bad_bytes_does_not_spoil_the_download()
    {
        using var files = new TestFiles();
        var source = files.Create("bad-web.bin", 2 * 1024 * 1024, seed: 20);
        var content = await File.ReadAllBytesAsync(source);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource();
        // The honest seeder is found only after the web seed sent bad bytes, so those bytes reach the download.
        var badResponses = 0;
        GatedPeerDiscovery? discovery = null;
        var server = ServeAsync(listener, content, corrupt: true, cts.Token, () =>
        {
            Interlocked.Increment(ref badResponses);
            discovery?.Open();
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var metainfo = await TorrentMetainfo.CreateAsync(source, urlList: [$"http://127.0.0.1:{port}/bad-web.bin"]).WaitAsync(Timeout);
        await using var seeder = new TorrentEngine(SwarmTests.LoopbackOptions());
        await seeder.StartAsync(default);
        await seeder.AddSeedAsync(metainfo, source, default).WaitAsync(Timeout);

        await using var leecher = new TorrentEngine(SwarmTests.LoopbackOptions());
        await leecher.StartAsync(default);
        var target = files.PathOf("mixed.bin");
        discovery = new GatedPeerDiscovery([seeder.LocalEndPoint!]);
        await leecher.DownloadAsync(metainfo, target, discovery, null, default).WaitAsync(Timeout);

        Assert.True(Volatile.Read(ref badResponses) > 0, "the web seed was never asked");
        Assert.True(TestFiles.SameContent(source, target));
        await cts.CancelAsync();
        listener.Stop();
        await server.WaitAsync(Timeout);
    }
}
