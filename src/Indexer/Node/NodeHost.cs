using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Node;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Node;

/// <summary>
/// Owns the process's one <see cref="GitTorrentNode"/> (docs/ARCHITECTURE.md: one engine per host). Consumers await
/// <see cref="NodeAsync"/>. When a configured port is taken the node falls back to any free port and says so. Pack
/// torrents carry a web seed below <paramref name="publicUrl"/> when the host has one (the portal).
/// </summary>
public sealed partial class NodeHost(IOptions<NodeHostOptions> options, ILoggerFactory loggerFactory, IPublicBaseUrl? publicUrl = null)
    : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<GitTorrentNode> _node = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggerFactory.CreateLogger<NodeHost>();

    /// <summary>The running node; completes once it has started (fails if it could not).</summary>
    public Task<GitTorrentNode> NodeAsync(CancellationToken cancellationToken) => _node.Task.WaitAsync(cancellationToken);

    /// <summary>The running node once its DHT node has joined the network (what a service that looks things up waits for).</summary>
    public async Task<GitTorrentNode> JoinedNodeAsync(CancellationToken cancellationToken)
    {
        var node = await NodeAsync(cancellationToken).ConfigureAwait(false);
        await node.Joined.WaitAsync(cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>
    /// <see cref="JoinedNodeAsync"/> for background services that can do nothing without a node: null when the node
    /// could not start, after handing the reason to <paramref name="couldNotStart"/> (to log it).
    /// </summary>
    public async Task<GitTorrentNode?> JoinedNodeOrNullAsync(Action<string> couldNotStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(couldNotStart);
        try
        {
            return await JoinedNodeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            couldNotStart(e.Message);
            return null;
        }
    }

    /// <summary>The node if it is running, else null (for status pages that must not wait).</summary>
    public GitTorrentNode? Current => _node.Task.IsCompletedSuccessfully ? _node.Task.Result : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var state = settings.StateDirectory ?? Path.Combine(AppContext.BaseDirectory, "data", "node");
        var bind = IPAddress.Parse(settings.Bind);
        try
        {
            GitTorrentNode node;
            try
            {
                node = await StartNodeAsync(settings, state, bind, settings.DhtPort, settings.BtPort, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && (settings.DhtPort != 0 || settings.BtPort != 0))
            {
                LogPortTaken(_logger, settings.DhtPort, settings.BtPort);
                node = await StartNodeAsync(settings, state, bind, 0, 0, cancellationToken).ConfigureAwait(false);
            }
            LogStarted(_logger, node.Dht.LocalEndPoint.ToString(), node.Torrents.LocalEndPoint?.ToString() ?? "", node.Options.Bootstrap.Count);
            _node.TrySetResult(node);
        }
        catch (Exception e) when (e is SocketException or IOException or Engine.GitTorrentException)
        {
            LogFailed(_logger, e.Message);
            _node.TrySetException(e);
        }
    }

    private Task<GitTorrentNode> StartNodeAsync(NodeHostOptions settings, string state, IPAddress bind, int dhtPort, int btPort,
        CancellationToken cancellationToken) =>
        GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = state,
            Bind = bind,
            DhtPort = dhtPort,
            BtPort = btPort,
            Bootstrap = settings.BootstrapList(),
            PackCacheBytes = settings.PackCacheBytes,
            MaxPackBytes = settings.MaxPackBytes,
            SeedDownloadedPacks = settings.SeedDownloadedPacks,
            WebSeedBaseUrl = publicUrl is null ? null : () => publicUrl.Value,
            Limits = settings.Limits,
            Dht = settings.Dht,
        }, loggerFactory, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_node.Task.IsCompletedSuccessfully)
        {
            await _node.Task.Result.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _node.TrySetCanceled();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DHT port {DhtPort} or BitTorrent port {BtPort} is taken; using free ports instead")]
    private static partial void LogPortTaken(ILogger logger, int dhtPort, int btPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "GitTorrent node up: DHT {Dht}, BitTorrent {Bt}, {Bootstrap} bootstrap nodes")]
    private static partial void LogStarted(ILogger logger, string dht, string bt, int bootstrap);

    [LoggerMessage(Level = LogLevel.Error, Message = "The GitTorrent node could not start: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
