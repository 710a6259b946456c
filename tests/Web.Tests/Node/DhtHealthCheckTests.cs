using GitTorrent.Indexer.Node;
using GitTorrent.TestSupport;
using GitTorrent.Web.Node;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Tests.Node;

/// <summary>
/// The DHT check of <c>/healthz</c> with a real node host: a node that could not start (its address is not this
/// machine's) is unhealthy, a running one healthy. (That /healthz runs it: PortalSuite's health test reads checks.dht.)
/// </summary>
public sealed class DhtHealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static NodeHost Host(string bind, string state) => new(Options.Create(new NodeHostOptions
    {
        Bind = bind,
        DhtPort = 0,
        BtPort = 0,
        Bootstrap = "",
        StateDirectory = state,
    }), NullLoggerFactory.Instance);

    private static async Task<HealthCheckResult> CheckAsync(NodeHost host)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await new DhtHealthCheck(host).CheckHealthAsync(new HealthCheckContext(), cts.Token).WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_node_that_is_down_is_unhealthy_and_a_running_one_healthy()
    {
        using var state = new TempDirectory("dht-health");
        using var cts = new CancellationTokenSource(Timeout);

        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine, so the node cannot bind.
        await using var down = Host("192.0.2.1", Path.Combine(state.Path, "down"));
        await down.StartAsync(cts.Token).WaitAsync(Timeout);
        Assert.Null(down.Current);
        var unhealthy = await CheckAsync(down);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal("the DHT node is not running", unhealthy.Description);

        await using var up = Host("127.0.0.1", Path.Combine(state.Path, "up"));
        await up.StartAsync(cts.Token).WaitAsync(Timeout);
        var node = await up.NodeAsync(cts.Token).WaitAsync(Timeout);
        var healthy = await CheckAsync(up);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Contains(node.Dht.LocalEndPoint.ToString(), healthy.Description, StringComparison.Ordinal);
    }
}
