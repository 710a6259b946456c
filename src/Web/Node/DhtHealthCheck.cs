using GitTorrent.Indexer.Node;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitTorrent.Web.Node;

/// <summary>/healthz: the portal's DHT node is running (INTERFACES.md: "200 when the database and the DHT node are up").</summary>
public sealed class DhtHealthCheck(NodeHost host) : IHealthCheck
{
    public const string Name = "dht";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Current is { } node
            ? HealthCheckResult.Healthy($"DHT node on {node.Dht.LocalEndPoint}, {node.Dht.RoutingTableSize} nodes known")
            : HealthCheckResult.Unhealthy("the DHT node is not running"));
}
