using System.Collections.Concurrent;
using System.Collections.Immutable;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Wire.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Node;

/// <summary>
/// One GitTorrent peer: a DHT node, a BitTorrent engine with the ut_gittorrent extension, a pack cache and the
/// repositories it serves. The daemon, the portal and the remote helper each run one (docs/ARCHITECTURE.md).
/// </summary>
public sealed partial class GitTorrentNode : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private ImmutableArray<ServedRepository> _repositories = [];
    private readonly ConcurrentDictionary<Hash20, Hash20> _packCommits = new();
    private readonly ServedCommitIndex _commitIndex;
    private Task _indexRefresh = Task.CompletedTask;

    private GitTorrentNode(GitTorrentNodeOptions options, DhtNode dht, TorrentEngine torrents, PackCache packs,
        GitTorrentExtension extension, LimitLog limitLog, ILoggerFactory loggerFactory)
    {
        Options = options;
        Dht = dht;
        Torrents = torrents;
        Packs = packs;
        Extension = extension;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<GitTorrentNode>();
        _commitIndex = new ServedCommitIndex(options.Limits.MaxServedCommits);
        _limitLog = limitLog;
    }

    private readonly LimitLog _limitLog;

    public GitTorrentNodeOptions Options { get; }

    public DhtNode Dht { get; }

    public TorrentEngine Torrents { get; }

    public PackCache Packs { get; }

    public GitTorrentExtension Extension { get; }

    /// <summary>The TCP port announced for served commits and packs.</summary>
    public int AnnouncePort => Options.AnnouncePort > 0 ? Options.AnnouncePort : Torrents.Port;

    public IReadOnlyList<ServedRepository> Repositories => _repositories;

    /// <summary>Binds both sockets, joins the DHT and starts serving; re-seeds the packs already in the cache.</summary>
    public static async Task<GitTorrentNode> StartAsync(GitTorrentNodeOptions options, ILoggerFactory? loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Limits.Problems() is [_, ..] problems)
        {
            throw new ArgumentException("Invalid node limits: " + string.Join("; ", problems), nameof(options));
        }
        loggerFactory ??= NullLoggerFactory.Instance;
        Directory.CreateDirectory(options.StateDirectory);
        var dhtDirectory = Path.Combine(options.StateDirectory, "dht");
        Directory.CreateDirectory(dhtDirectory);
        var dhtOptions = options.Dht?.Clone() ?? new DhtOptions();
        dhtOptions.BindAddress = options.Bind;
        dhtOptions.Port = options.DhtPort;
        dhtOptions.BootstrapNodes = options.Bootstrap;
        dhtOptions.StateDirectory = dhtDirectory;
        dhtOptions.TimeProvider = options.TimeProvider;
        var dht = await DhtNode.StartAsync(dhtOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        TorrentEngine? torrents = null;
        try
        {
            torrents = new TorrentEngine(new TorrentEngineOptions
            {
                ListenAddress = options.Bind, ListenPort = options.BtPort, AdaptiveSeeding = options.AdaptiveSeeding,
                MaxInboundConnections = options.Limits.MaxInboundConnections, MaxOutboundConnections = options.Limits.MaxOutboundConnections,
                MaxConnectionsPerAddress = options.Limits.MaxConnectionsPerAddress, HandshakeTimeout = options.Limits.HandshakeTimeout,
                BareIdleTimeout = options.Limits.BareIdleTimeout, MaxUploadBytesPerSecond = options.Limits.MaxUploadBytesPerSecond,
            }, loggerFactory, options.TimeProvider);
            var packs = new PackCache(Path.Combine(options.StateDirectory, "packs"), options.PackCacheBytes,
                options.Limits.MaxConcurrentPackBuilds, options.Limits.MaxPackBuildsPerAddress);
            GitTorrentNode? node = null;
            var limitLog = new LimitLog(loggerFactory.CreateLogger<GitTorrentNode>(), options.TimeProvider);
            var extension = new GitTorrentExtension(new DeferredProvider(() => node), loggerFactory.CreateLogger<GitTorrentExtension>(),
                options.Limits.MaxConcurrentRequests, limitLog);
            torrents.Extensions.Register(extension);
            node = new GitTorrentNode(options, dht, torrents, packs, extension, limitLog, loggerFactory);
            torrents.UnknownInfoHashHandler = new CommitHandler(node);
            packs.Evicted += infoHash => _ = node.StopSeedingAsync(infoHash);
            await torrents.StartAsync(cancellationToken).ConfigureAwait(false);
            await node.ReseedCachedPacksAsync(cancellationToken).ConfigureAwait(false);
            node.PruneStaleManifests();
            _ = node.JoinDhtAsync();
            return node;
        }
        catch
        {
            if (torrents is not null)
            {
                await torrents.DisposeAsync().ConfigureAwait(false);
            }
            await dht.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the first bootstrap lookup has ended (successfully or not).</summary>
    public Task Joined => _joined.Task;

    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task JoinDhtAsync()
    {
        try
        {
            await Dht.BootstrapAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GitTorrentException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            LogBootstrapFailed(_logger, e.Message);
        }
        finally
        {
            _joined.TrySetResult();
        }
    }

    /// <summary>
    /// Replaces the set of served repositories (the daemon rescans its folder; the portal adds mirrors and fetched
    /// repositories) and brings the index of served commits up to date with their refs, in the background: lookups
    /// that miss meanwhile wait for it.
    /// </summary>
    public void SetRepositories(IEnumerable<ServedRepository> repositories)
    {
        ImmutableArray<ServedRepository> snapshot = [.. repositories];
        _repositories = snapshot;
        lock (_commitIndex)
        {
            var previous = _indexRefresh;
            _indexRefresh = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                try
                {
                    await _commitIndex.RefreshAsync(snapshot, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or GitTorrentException or IOException
                    or System.ComponentModel.Win32Exception)
                {
                    LogIndexFailed(_logger, e.Message);
                }
            });
        }
    }

    /// <summary>Waits until the index of served commits reflects the last <see cref="SetRepositories"/>.</summary>
    public Task WaitForServedCommitsAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _indexRefresh).WaitAsync(cancellationToken);

    /// <summary>The ref tips of every served repository: HEAD, branches and tags, peeled to commits.</summary>
    public async Task<IReadOnlyDictionary<ServedRepository, IReadOnlyDictionary<string, Hash20>>> ReadTipsAsync(
        CancellationToken cancellationToken)
    {
        var tips = new Dictionary<ServedRepository, IReadOnlyDictionary<string, Hash20>>();
        foreach (var repository in _repositories)
        {
            try
            {
                tips[repository] = await GitRefs.ReadAsync(repository.Path, cancellationToken).ConfigureAwait(false);
            }
            catch (GitCommandException e)
            {
                LogRepositoryUnreadable(_logger, repository.Name, e.Message);
            }
        }
        return tips;
    }

    /// <summary>Announces every distinct tip commit in the DHT (docs/PROTOCOL.md section 2). Returns how many.</summary>
    public async Task<int> AnnounceTipsAsync(CancellationToken cancellationToken)
    {
        var commits = (await ReadTipsAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(r => r.Value.Values).Distinct().ToList();
        await AnnounceAsync(commits, cancellationToken).ConfigureAwait(false);
        return commits.Count;
    }

    /// <summary>Announces <paramref name="commits"/> under the node's announce port, a few at a time.</summary>
    public async Task AnnounceAsync(IReadOnlyCollection<Hash20> commits, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(commits, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (commit, ct) =>
            {
                var result = await Dht.AnnounceAsync(commit, AnnouncePort, ct).ConfigureAwait(false);
                LogAnnounced(_logger, commit.ToString(), result.Stored);
            }).ConfigureAwait(false);
    }

    /// <summary>Totals and per-pack counters, the shape of stats.json.</summary>
    public NodeStatistics GetStatistics()
    {
        var engine = Torrents.GetStatistics();
        var packs = engine.Torrents
            .Where(t => _packCommits.ContainsKey(t.InfoHash))
            .Select(t => new PackStatistics(t.InfoHash.ToString(), _packCommits[t.InfoHash].ToString(), t.Size, t.Uploaded))
            .OrderBy(p => p.InfoHash, StringComparer.Ordinal)
            .ToList();
        var connections = Torrents.GetConnectionStatistics();
        var cache = Packs.GetStatistics();
        return new NodeStatistics(engine.Uploaded, engine.Downloaded, engine.Peers, packs)
        {
            Limits = new NodeLimitStatistics
            {
                InboundConnections = connections.Inbound, OutboundConnections = connections.Outbound,
                RefusedInbound = connections.RefusedInbound, RefusedPerAddress = connections.RefusedPerAddress,
                RefusedOutbound = connections.RefusedOutbound, HandshakeTimeouts = connections.HandshakeTimeouts,
                IdleClosed = connections.IdleClosed, UnknownInfoHashes = connections.UnknownInfoHashes,
                PackBuildsStarted = cache.BuildsStarted, PackBuildsRunning = cache.BuildsRunning, PackBuildsPeak = cache.PeakBuildsRunning,
                PackBuildsShared = cache.BuildsShared, PackBuildsCancelled = cache.BuildsCancelled, PackBuildsRefused = cache.RefusedGlobal,
                PackBuildsRefusedPerAddress = cache.RefusedPerAddress, RequestsRefused = Extension.RequestsRefused, PackBuildsTooLarge = cache.RefusedTooLarge,
                PackCacheBytes = cache.UsedBytes, PacksEvicted = cache.Evicted,
                ServedCommits = _commitIndex.Count, ServedCommitsTruncated = _commitIndex.Truncated,
                BencodeTooManyKeys = Bencoding.BencodeReader.TooManyKeysRefusals, PacksRefusedByFsck = PackImporter.FsckRefusals,
                PeersBanned = TorrentSession.PeersBanned,
            },
        };
    }

    private readonly CancellationTokenSource _stopping = new();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Volatile.Read(ref _indexRefresh).ConfigureAwait(false);
        await Torrents.DisposeAsync().ConfigureAwait(false);
        await Dht.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DHT bootstrap failed: {Reason}")]
    private static partial void LogBootstrapFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the refs of {Repository}: {Reason}")]
    private static partial void LogRepositoryUnreadable(ILogger logger, string repository, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not index the served commits: {Reason}")]
    private static partial void LogIndexFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Announced {Commit} to {Nodes} nodes")]
    private static partial void LogAnnounced(ILogger logger, string commit, int nodes);
}
