using GitTorrent.Cli.Network;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The network side of one <c>git-remote-gittorrent</c> run: a client node started on first use (a host-form
/// <c>list</c> needs none), the swarm fetcher, profile lookups, name resolution and publishing after a push.
/// </summary>
public sealed class HelperSession(CliOptions options, HelperProgress progress, UserIdentity? identity)
    : ISwarmFetcher, IProfileSource, IPushPublisher, INodeWarmUp, IAsyncDisposable
{
    private readonly ILoggerFactory _loggers = CliNode.CreateLoggerFactory();
    private readonly Lock _lock = new();
    private Task<(GitTorrentNode Node, SwarmFetcher Fetcher)>? _starting;

    public void WarmUp() => _ = StartNodeOnceAsync();

    private Task<(GitTorrentNode Node, SwarmFetcher Fetcher)> StartNodeOnceAsync()
    {
        using var scope = _lock.EnterScope();
        return _starting ??= StartNodeAsync();
    }

    private async Task<GitTorrentNode> NodeAsync(CancellationToken cancellationToken) =>
        (await StartNodeOnceAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Node;

    private async Task<(GitTorrentNode Node, SwarmFetcher Fetcher)> StartNodeAsync()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var node = await CliNode.StartClientAsync(options, _loggers, CancellationToken.None).ConfigureAwait(false);
        await JoinedEnoughAsync(node).ConfigureAwait(false);
        progress.Verbose($"DHT joined in {watch.Elapsed.TotalSeconds:0.00} s: {node.Dht.RoutingTableSize} nodes known");
        return (node, new SwarmFetcher(node, _loggers.CreateLogger<SwarmFetcher>()));
    }

    /// <summary>
    /// Waits until the bootstrap lookup ends or a node has answered: a lookup needs one live node to start from (it
    /// learns the rest as it goes), and the bootstrap lookup itself waits out the departed nodes it is told of (every
    /// finished helper leaves one behind).
    /// </summary>
    private static async Task JoinedEnoughAsync(GitTorrentNode node)
    {
        while (!node.Joined.IsCompleted && node.Dht.RoutingTableSize == 0)
        {
            await Task.WhenAny(node.Joined, Task.Delay(5)).ConfigureAwait(false);
        }
    }

    public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        CancellationToken cancellationToken) =>
        FetchAsync(commit, haves, gitDirectory, new SwarmFetchOptions([]), cancellationToken);

    public async Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        SwarmFetchOptions options, CancellationToken cancellationToken)
    {
        var (_, fetcher) = await StartNodeOnceAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await fetcher.FetchAsync(commit, haves, gitDirectory, options, cancellationToken).ConfigureAwait(false);
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
        var answer = await new NameResolver(resolver, allowHttp: options.ResolverAllowHttp).ResolveAsync(name, cancellationToken)
            .ConfigureAwait(false);
        if (answer is not { Owner: { } owner, Status: var status })
        {
            return null;
        }
        // Only a final registration names an owner for good: a pending name may still go to an earlier preorder.
        if (status is not ("settled" or "settling"))
        {
            throw new GitTorrentException($"the name '{name}' is {RemoteText.Printable(status)}, not registered for good yet "
                + $"(its owner would be {owner}, but that may still change); wait until it settles, or clone by key: "
                + $"gittorrent://{owner}/<repo>");
        }
        if (status == "settling")
        {
            progress.Warning($"the name '{name}' is settling: an earlier registration could still take it in the next blocks");
        }
        progress.Info($"Resolved '{name}' to {owner} ({status})");
        return owner;
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

    /// <summary>Stops the node (if it was started) after saying, with -v, how much DHT work this run cost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_starting is { } starting)
        {
            try
            {
                var (node, fetcher) = await starting.ConfigureAwait(false);
                var dht = node.Dht.Statistics;
                progress.Verbose($"dht: {dht.LookupsStarted} lookup(s), {dht.QueriesSent} queries sent, {dht.Timeouts} timed out");
                await fetcher.DisposeAsync().ConfigureAwait(false);
                await node.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is GitTorrentException or IOException or System.Net.Sockets.SocketException)
            {
                // The node never started; the error was reported by whoever needed it.
            }
        }
        _loggers.Dispose();
    }
}
