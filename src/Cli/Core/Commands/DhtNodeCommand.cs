using GitTorrent.Engine.Dht;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// <c>gittorrent dht node</c>: runs a bare DHT node until stopped and prints
/// <c>listening &lt;ip&gt;:&lt;port&gt; &lt;node id&gt;</c> once bound. The routing table is kept in
/// <c>$GITTORRENT_HOME</c>, so a restarted node rejoins without bootstrap routers.
/// </summary>
public static class DhtNodeCommand
{
    public const string Usage =
        """
        usage: gittorrent dht node [--home DIR] [--bootstrap HOST:PORT,...] [--dht-port PORT] [--bind ADDRESS]

        Runs a bare DHT node (BEP 5, BEP 44) until stopped (Ctrl+C or SIGTERM).
        Prints "listening <ip>:<port> <node id>" when bound, then serves other nodes.

          --home DIR          state folder (env GITTORRENT_HOME, default ~/.gittorrent)
          --bootstrap LIST    comma-separated host:port nodes (env GITTORRENT_BOOTSTRAP,
                              default public mainline routers; an empty value means none)
          --dht-port PORT     UDP port (env GITTORRENT_DHT_PORT, default 6881, 0 = any)
          --bind ADDRESS      address to bind (env GITTORRENT_BIND, default 0.0.0.0)
        """;

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, limits: null, ct);

    /// <summary>
    /// As above, reading the environment through <paramref name="environment"/> (tests, hosts), with the node limits
    /// of <paramref name="limits"/> (<c>GITTORRENT_DHT__*</c>, already parsed into <see cref="CliOptions.Dht"/>), else the defaults.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, DhtOptions? limits, CancellationToken ct)
    {
        if (!DhtCommandOptions.TryParse(args, environment, out var options, out var error) || options.Positional.Count > 0)
        {
            await stderr.WriteLineAsync("gittorrent dht node: " + (error.Length > 0 ? error : "unexpected argument " + options.Positional[0]));
            return 1;
        }
        if (options.Help)
        {
            await stdout.WriteLineAsync(Usage);
            return 0;
        }
        // Logs go to stderr: stdout carries only the "listening" line that scripts read.
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevel.Warning));
        DhtNode node;
        try
        {
            var settings = limits ?? new DhtOptions();
            settings.BindAddress = options.Bind;
            settings.Port = options.Port;
            settings.BootstrapNodes = options.Bootstrap;
            settings.StateDirectory = options.Home;
            node = await DhtNode.StartAsync(settings, loggerFactory, ct);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await stderr.WriteLineAsync($"gittorrent dht node: cannot bind {options.Bind}:{options.Port}: {e.Message}");
            return 1;
        }
        await using (node)
        {
            await stdout.WriteLineAsync($"listening {node.LocalEndPoint.Address}:{node.LocalEndPoint.Port} {node.Id}");
            await stdout.FlushAsync(ct);
            try
            {
                await node.BootstrapAsync(ct);
                // Serve until stopped; re-run the self lookup now and then in case everyone we knew went away.
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMinutes(5), ct);
                    if (node.RoutingTableSize == 0)
                    {
                        await node.BootstrapAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // stopped
            }
        }
        return 0;
    }
}
