using GitTorrent.Cli.Commands;
using GitTorrent.Engine.Node;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Cli.Network;

/// <summary>Starts the GitTorrent node of a CLI program from the common options.</summary>
public static class CliNode
{
    /// <summary>The bootstrap list: the configured one (possibly empty), else the public mainline routers.</summary>
    public static IList<string> Bootstrap(CliOptions options) => [.. options.Bootstrap ?? DhtCommandOptions.PublicRouters];

    /// <summary>
    /// The daemon's long-running node: the configured ports, state in <c>$GITTORRENT_HOME</c> (routing table
    /// in <c>dht/</c>, packs in <c>packs/</c>).
    /// </summary>
    public static Task<GitTorrentNode> StartServerAsync(CliOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = options.Home,
            Bind = options.Bind,
            DhtPort = options.DhtPort,
            BtPort = options.BtPort,
            Bootstrap = Bootstrap(options),
            PackCacheBytes = options.PackCacheBytes,
            Limits = options.Limits,
            Dht = options.Dht,
        }, loggerFactory, cancellationToken);

    /// <summary>
    /// A short-lived client node (remote helper, publish): any free ports, its own state folder so it never races
    /// the daemon's files, and announces that point at the daemon's BitTorrent port (as the daemon recorded it in
    /// served.json, else the configured one).
    /// </summary>
    public static Task<GitTorrentNode> StartClientAsync(CliOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(options.Home, "client"),
            Bind = options.Bind,
            DhtPort = 0,
            BtPort = 0,
            AnnouncePort = ProfilePublisher.DaemonPort(options.Home) ?? options.BtPort,
            Bootstrap = Bootstrap(options),
            Limits = options.Limits,
            Dht = options.Dht,
        }, loggerFactory, cancellationToken);

    /// <summary>Console logging at warning level to stderr (stdout may carry a protocol).</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel level = LogLevel.Warning) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));
}
