using GitTorrent.Cli.Network;
using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Swarm;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The network side of one <c>git-remote-gittorrent</c> run: a client node started on first use (a host-form
/// <c>list</c> needs none), the swarm fetcher, profile lookups, name resolution and publishing after a push.
/// </summary>
public sealed class HelperSession(CliOptions options, HelperProgress progress, UserIdentity? identity)
    : ISwarmFetcher, IProfileSource, IPushPublisher, IAsyncDisposable
{
    private readonly ILoggerFactory _loggers = CliNode.CreateLoggerFactory();
    private GitTorrentNode? _node;
    private SwarmFetcher? _fetcher;

    private async Task<GitTorrentNode> NodeAsync(CancellationToken cancellationToken)
    {
        if (_node is null)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            _node = await CliNode.StartClientAsync(options, _loggers, cancellationToken).ConfigureAwait(false);
            await JoinedEnoughAsync(_node, cancellationToken).ConfigureAwait(false);
            progress.Verbose($"DHT joined in {watch.Elapsed.TotalSeconds:0.00} s: {_node.Dht.RoutingTableSize} nodes known");
            _fetcher = new SwarmFetcher(_node, _loggers.CreateLogger<SwarmFetcher>());
        }
        return _node;
    }

    /// <summary>Nodes known before lookups start without waiting for the whole bootstrap lookup.</summary>
    public const int EnoughNodes = 8;

    /// <summary>
    /// Waits until the bootstrap lookup ends or enough nodes answered to start lookups: the bootstrap lookup itself
    /// waits out timeouts of departed nodes (every finished helper leaves one behind), which costs seconds per run.
    /// </summary>
    private static async Task JoinedEnoughAsync(GitTorrentNode node, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!node.Joined.IsCompleted)
        {
            var known = node.Dht.RoutingTableSize;
            if (known >= EnoughNodes || (known > 0 && watch.Elapsed > TimeSpan.FromMilliseconds(500)))
            {
                return;
            }
            await Task.WhenAny(node.Joined, Task.Delay(20, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        CancellationToken cancellationToken) =>
        FetchAsync(commit, haves, gitDirectory, new SwarmFetchOptions([]), cancellationToken);

    public async Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        SwarmFetchOptions options, CancellationToken cancellationToken)
    {
        await NodeAsync(cancellationToken).ConfigureAwait(false);
        var report = new Progress<DownloadProgress>(p =>
        {
            if (p.HasMetadata)
            {
                progress.Report("Receiving pack", p.VerifiedBytes / 1024, p.TotalBytes / 1024, $" KiB, {p.Peers} peer(s)");
            }
        });
        var result = await _fetcher!.FetchAsync(commit, haves, gitDirectory, report, options, cancellationToken).ConfigureAwait(false);
        if (result.InfoHash is { } infoHash)
        {
            progress.Verbose($"pack torrent {infoHash}: {result.Timings}");
        }
        return result;
    }

    public async Task<UserProfile?> GetProfileAsync(Hash20 userId, CancellationToken cancellationToken)
    {
        var node = await NodeAsync(cancellationToken).ConfigureAwait(false);
        progress.Info($"Looking up the profile of {userId} in the DHT");
        var signed = await node.GetProfileAsync(userId, cancellationToken).ConfigureAwait(false);
        if (signed is not null)
        {
            progress.Verbose($"profile seq {signed.Seq}, {signed.Profile.Repositories.Count} repositories");
        }
        return signed?.Profile;
    }

    public async Task<Hash20?> ResolveNameAsync(string name, CancellationToken cancellationToken)
    {
        if (options.Resolver is not { } resolver)
        {
            throw new GitTorrentException($"cannot resolve the name '{name}': set GITTORRENT_RESOLVER to a portal's URL");
        }
        var answer = await new NameResolver(resolver).ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        if (answer is { Owner: { } owner, Status: var status })
        {
            progress.Info($"Resolved '{name}' to {owner} ({status})");
            return owner;
        }
        return null;
    }

    public async Task PublishAsync(string repositoryName, CancellationToken cancellationToken)
    {
        if (identity is null)
        {
            throw new GitTorrentException("no identity: run 'gittorrent keygen' first");
        }
        var node = await NodeAsync(cancellationToken).ConfigureAwait(false);
        var publisher = new ProfilePublisher(options, identity);
        var served = publisher.Served();
        var (seq, result, profile) = await publisher.PublishAsync(node, served, cancellationToken).ConfigureAwait(false);
        if (result.Stored == 0)
        {
            progress.Warning("no DHT node stored the profile; is the DHT reachable? (GITTORRENT_BOOTSTRAP)");
        }
        if (profile.Repositories.TryGetValue(repositoryName, out var refs))
        {
            await node.AnnounceAsync([.. refs.Values.Distinct()], cancellationToken).ConfigureAwait(false);
        }
        progress.Verbose($"profile seq {seq} stored on {result.Stored} nodes");
    }

    public async ValueTask DisposeAsync()
    {
        if (_fetcher is not null)
        {
            await _fetcher.DisposeAsync().ConfigureAwait(false);
        }
        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
        }
        _loggers.Dispose();
    }
}
