using System.Net;
using System.Net.Sockets;
using GitTorrent.Indexer.Node;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Tests.Node;

/// <summary>The host of the process's node: configured ports that are taken fall back to free ones, and it says so.</summary>
public sealed class SwarmNodeHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Taken_ports_fall_back_to_free_ones_and_the_fallback_is_logged()
    {
        // Another process's sockets on the configured ports: UDP for the DHT, TCP for BitTorrent.
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Listen();
        var dhtPort = ((IPEndPoint)udp.LocalEndPoint!).Port;
        var btPort = ((IPEndPoint)tcp.LocalEndPoint!).Port;
        using var state = new TempDirectory("node-host");
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var host = new NodeHost(Options.Create(new NodeHostOptions
        {
            Bind = "127.0.0.1",
            DhtPort = dhtPort,
            BtPort = btPort,
            Bootstrap = "",
            StateDirectory = state.Path,
        }), loggerFactory);

        using var cts = new CancellationTokenSource(Timeout);
        await host.StartAsync(cts.Token).WaitAsync(Timeout);
        var node = await host.NodeAsync(cts.Token).WaitAsync(Timeout);
        Assert.Same(node, host.Current);
        Assert.NotEqual(dhtPort, node.Dht.LocalEndPoint.Port);
        Assert.NotEqual(btPort, node.Torrents.LocalEndPoint!.Port);
        Assert.NotEqual(0, node.Dht.LocalEndPoint.Port);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message == $"DHT port {dhtPort} or BitTorrent port {btPort} is taken; using free ports instead");
    }
}
