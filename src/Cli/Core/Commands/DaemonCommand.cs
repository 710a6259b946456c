using System.Text.Json;
using GitTorrent.Cli.Network;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Node;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// <c>gittorrent daemon --repos DIR</c>: serves every repository under DIR until stopped. Rescans DIR every
/// <see cref="ScanInterval"/> so new commits and branches are announced without a restart, announces every tip
/// again every 30 minutes, re-puts the profile hourly and on every change, and rewrites stats.json every 5 s.
/// </summary>
public sealed class DaemonCommand : ICliCommand
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan AnnounceInterval = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan RepublishInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(5);

    public string Name => "daemon";

    public string Summary => "seed every git repository under DIR and publish the profile, until stopped";

    public string Usage =>
        "gittorrent daemon --repos DIR\n"
        + "  A repository's name is its path below DIR without .git or /.git (DIR/foo.git and DIR/foo/.git are 'foo').\n"
        + "  Repositories pushed with git push gittorrent://<your id>/<repo> ($GITTORRENT_HOME/repos) are served too.\n"
        + "  Keeps packs in $GITTORRENT_HOME/packs and rewrites $GITTORRENT_HOME/stats.json every 5 s.";

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (!RepositoryArguments.TryParse(args, out var directory, out var error))
        {
            await context.Error.WriteLineAsync($"gittorrent daemon: {error}");
            return ExitCodes.NotImplemented;
        }
        try
        {
            using var identity = IdentityFile.Load(context.Options.Home);
            using var loggers = CliNode.CreateLoggerFactory(LogLevel.Information);
            var logger = loggers.CreateLogger("gittorrent.daemon");
            await using var node = await CliNode.StartServerAsync(context.Options, loggers, cancellationToken);
            await context.Out.WriteLineAsync($"serving {directory} as {identity.UserId}: dht {node.Dht.LocalEndPoint}, bittorrent {node.Torrents.LocalEndPoint}");
            await context.Out.FlushAsync(cancellationToken);
            var publisher = new ProfilePublisher(context.Options, identity);
            // A commit asked for right after a push is looked up in a fresh scan, not only the last scheduled one.
            node.RepositorySource = () => publisher.ScanWithStore(directory!, null);
            var loop = new DaemonLoop(node, publisher, directory!, context.Options.Home, logger);
            await loop.RunAsync(cancellationToken);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (GitTorrentException e)
        {
            await context.Error.WriteLineAsync("gittorrent daemon: " + e.Message);
            return ExitCodes.Failure;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await context.Error.WriteLineAsync($"gittorrent daemon: cannot open the DHT or BitTorrent port ({e.Message}); "
                + "is another daemon running? Use --dht-port/--bt-port");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The daemon's schedule, one owner of its state.</summary>
    private sealed class DaemonLoop(GitTorrentNode node, ProfilePublisher publisher, string directory, string home, ILogger logger)
    {
        private HashSet<(string Repository, string Ref, Hash20 Commit)> _tips = [];
        private DateTimeOffset _lastAnnounce = DateTimeOffset.MinValue;
        private DateTimeOffset _lastPublish = DateTimeOffset.MinValue;
        private DateTimeOffset _lastStats = DateTimeOffset.MinValue;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await node.Joined.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                try
                {
                    await ScanAsync(now, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is GitTorrentException or IOException)
                {
                    logger.LogWarning("Scan of {Directory} failed: {Reason}", directory, e.Message);
                }
                if (now - _lastStats >= StatsInterval)
                {
                    WriteStats();
                    _lastStats = now;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        private DateTimeOffset _lastScan = DateTimeOffset.MinValue;

        private async Task ScanAsync(DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (now - _lastScan < ScanInterval)
            {
                return;
            }
            _lastScan = now;
            var repositories = publisher.ScanWithStore(directory,
                skipped => logger.LogWarning("Skipping '{Folder}': not a usable repository name", skipped));
            node.SetRepositories(repositories);
            publisher.RecordServed(repositories, node.AnnouncePort);
            var tips = (await node.ReadTipsAsync(cancellationToken).ConfigureAwait(false))
                .SelectMany(r => r.Value.Select(t => (r.Key.Name, t.Key, t.Value))).ToHashSet();
            var changed = !tips.SetEquals(_tips);
            var fresh = tips.Where(t => !_tips.Contains(t)).Select(t => t.Item3).Distinct().ToList();
            _tips = tips;
            if (now - _lastAnnounce >= AnnounceInterval)
            {
                var count = await node.AnnounceTipsAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Announced {Count} tips of {Repositories} repositories", count, repositories.Count);
                _lastAnnounce = now;
            }
            else if (fresh.Count > 0)
            {
                await node.AnnounceAsync(fresh, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Announced {Count} new tips", fresh.Count);
            }
            if (changed || now - _lastPublish >= RepublishInterval)
            {
                var (seq, result, _) = await publisher.PublishAsync(node, repositories, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Published the profile at seq {Seq} to {Nodes} nodes", seq, result.Stored);
                _lastPublish = now;
            }
        }

        private void WriteStats()
        {
            var path = Path.Combine(home, "stats.json");
            try
            {
                File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(node.GetStatistics()));
                File.Move(path + ".tmp", path, overwrite: true);
            }
            catch (IOException e)
            {
                logger.LogWarning("Cannot write {Path}: {Reason}", path, e.Message);
            }
        }
    }
}
