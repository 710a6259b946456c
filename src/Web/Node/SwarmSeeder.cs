using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Node;

/// <summary>
/// The portal as a seeder (docs/ARCHITECTURE.md "Seed" and "Publish"): every repository in the store is served by the
/// node; tips are announced on start, after every update and every 30 minutes; the portal's own signed profile (its
/// mirrors) is put on start, after every mirror sync and hourly. Also counts seeders of each tip for the provenance panel.
/// </summary>
public sealed partial class SwarmSeeder(
    NodeHost host,
    RepositoryStore store,
    PortalIdentity identity,
    ProfileCrawlQueue crawlQueue,
    SwarmActivity activity,
    IServiceProvider services,
    IDbContextFactory<GitTorrentDbContext> contexts,
    Microsoft.Extensions.Options.IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<SwarmSeeder> logger) : BackgroundService, IRepositoryUpdatedHandler
{
    public static readonly TimeSpan AnnounceInterval = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan RepublishInterval = TimeSpan.FromHours(1);

    /// <summary>The pause between two looks at what is due.</summary>
    public static readonly TimeSpan RoundPause = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _countFrom;

    // Resolved on use: PortalNotifications depends on every IRepositoryUpdatedHandler, this one included.
    private PortalNotifications Notifications => services.GetRequiredService<PortalNotifications>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GitTorrentNode node;
        try
        {
            node = await host.NodeAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNoNode(logger, e.Message);
            return;
        }
        crawlQueue.Add(Hash20.Parse(identity.UserId));
        await node.Joined.WaitAsync(stoppingToken);
        var schedule = new SeederSchedule(AnnounceInterval, RepublishInterval, options.Value.SeederCountInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            try
            {
                if (schedule.AnnounceDue(now))
                {
                    await RefreshServedAsync(node, stoppingToken);
                    var count = await node.AnnounceTipsAsync(stoppingToken);
                    LogAnnounced(logger, count, node.Repositories.Count);
                    schedule.Announced(now);
                }
                if (schedule.RepublishDue(now))
                {
                    await PublishPortalProfileAsync(node, stoppingToken);
                    schedule.Republished(now);
                }
                if (schedule.CountDue(now))
                {
                    await CountSeedersAsync(node, stoppingToken);
                    schedule.Counted(now);
                }
                await Notifications.PublishSwarmChanged();
            }
            catch (Exception e) when (e is GitTorrentException or IOException or DbUpdateException)
            {
                LogRoundFailed(logger, e.Message);
            }
            await Task.Delay(RoundPause, time, stoppingToken);
        }
    }

    public async Task OnRepositoryUpdatedAsync(RepositoryUpdated update, CancellationToken cancellationToken)
    {
        if (host.Current is not { } node)
        {
            return; // a maintenance command, or the node is not running: nothing to seed from this process
        }
        await RefreshServedAsync(node, cancellationToken);
        var commits = update.Refs.Values.Where(v => Hash20.TryParse(v, out _)).Select(Hash20.Parse).Distinct().ToList();
        await node.AnnounceAsync(commits, cancellationToken);
        if (update.UserId == identity.UserId)
        {
            await PublishPortalProfileAsync(node, cancellationToken);
        }
        await Notifications.PublishSwarmChanged();
    }

    /// <summary>Serves every bare repository in the store (mirrors and repositories fetched from the swarm).</summary>
    private async Task RefreshServedAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var served = new List<ServedRepository>();
            if (Directory.Exists(store.Root))
            {
                foreach (var userFolder in Directory.EnumerateDirectories(store.Root))
                {
                    var userId = Path.GetFileName(userFolder);
                    served.AddRange(store.Served(userId).Select(r => r with { Name = userId + "/" + r.Name }));
                }
            }
            node.SetRepositories(served);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Puts the portal's profile as the portal's user row holds it (written by <see cref="PortalProfileWriter"/>).</summary>
    private async Task PublishPortalProfileAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == identity.UserId, cancellationToken);
        if (user is null || !BencodeReader.TryDecode(user.RawProfile, out var value, out _) || value is not BString json
            || !UserProfile.TryParse(json.Span, out var profile, out _))
        {
            return; // no mirror yet: nothing to publish
        }
        var result = await node.PublishProfileAsync(identity.Identity, profile, user.Seq, cancellationToken);
        LogPublished(logger, user.Seq, result.Stored);
    }

    private async Task CountSeedersAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        // At most SeederCountsPerRound lookups a round, taking turns over all served repositories.
        var all = node.Repositories;
        var take = Math.Min(all.Count, options.Value.SeederCountsPerRound);
        var from = all.Count == 0 ? 0 : _countFrom % all.Count;
        _countFrom = from + take;
        foreach (var repository in all.Skip(from).Concat(all.Take(from)).Take(take))
        {
            var refs = await GitRefs.ReadAsync(repository.Path, cancellationToken);
            if (!refs.TryGetValue("HEAD", out var tip))
            {
                continue;
            }
            var peers = new HashSet<System.Net.IPEndPoint>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await foreach (var peer in node.Dht.FindPeersAsync(tip, timeout.Token))
                {
                    peers.Add(peer);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Count what was found in time.
            }
            var slash = repository.Name.IndexOf('/', StringComparison.Ordinal);
            activity.SetSeeders(repository.Name[..slash], repository.Name[(slash + 1)..], peers.Count, time.GetUtcNow());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Swarm seeding off: the node is not running ({Reason})")]
    private static partial void LogNoNode(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced {Count} tips of {Repositories} repositories")]
    private static partial void LogAnnounced(ILogger logger, int count, int repositories);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the portal's profile at seq {Seq} to {Nodes} nodes")]
    private static partial void LogPublished(ILogger logger, long seq, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Swarm round failed: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);
}
