using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Polls the node and runs <see cref="ChainFollower.SyncAsync"/> every <see cref="NameScannerOptions.PollInterval"/>.
/// RPC failures and store errors are logged and retried after the interval; they never stop the host.
/// <see cref="LastResult"/>, <see cref="LastError"/> and <see cref="LastSuccess"/> feed status pages.
/// </summary>
public sealed partial class NameScannerService(
    IBlockSource source,
    INameStore store,
    IOptions<NameScannerOptions> options,
    TimeProvider time,
    ILogger<NameScannerService> logger) : BackgroundService
{
    private readonly ChainFollower _follower = new(source, store, new ChainFollowerOptions
    {
        StartHeight = options.Value.StartHeight,
        MaxReorgDepth = options.Value.MaxReorgDepth,
        MaxBlocksPerSync = BlocksPerSync,
        MaxBatchBlocks = options.Value.BatchBlocks,
    });

    /// <summary>Blocks applied between two status updates (and log lines) during a long catch-up.</summary>
    public const int BlocksPerSync = 1000;

    public ChainSyncResult? LastResult { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastSuccess { get; private set; }

    public long MalformedCounted { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var verified = source is not BitcoinRpcClient;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!verified && source is BitcoinRpcClient client)
                {
                    var info = await client.VerifyNetworkAsync(stoppingToken).ConfigureAwait(false);
                    LogConnected(client.Rpc.Url, info.Chain, info.Blocks);
                    verified = true;
                }
                var result = await _follower.SyncAsync(stoppingToken).ConfigureAwait(false);
                LastResult = result;
                LastError = null;
                LastSuccess = time.GetUtcNow();
                MalformedCounted += result.Malformed;
                if (result.RolledBack > 0)
                {
                    LogReorganisation(result.RolledBack, result.Tip?.Height ?? -1);
                }
                if (result.Applied > 0)
                {
                    LogSynced(result.Applied, result.Entries, result.Malformed, result.Tip?.Height ?? -1);
                }
                if (!result.CaughtUp)
                {
                    continue; // more blocks right away
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is BitcoinRpcException or ChainReorganisationTooDeepException)
            {
                LastError = e.Message;
                LogRpcFailed(e.Message); // expected while the node is down or still syncing: one line, no stack
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LastError = e.Message;
                LogSyncFailed(e);
            }
            try
            {
                await Task.Delay(options.Value.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bitcoin node {Url} on {Chain} at height {Height}")]
    private partial void LogConnected(Uri url, string chain, int height);

    [LoggerMessage(Level = LogLevel.Information, Message = "Names: applied {Blocks} blocks, {Entries} entries, {Malformed} malformed; tip {Height}")]
    private partial void LogSynced(int blocks, int entries, int malformed, int height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Names: chain reorganisation, rolled back {Blocks} blocks; tip {Height}")]
    private partial void LogReorganisation(int blocks, int height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Names: {Error}")]
    private partial void LogRpcFailed(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Names: sync failed")]
    private partial void LogSyncFailed(Exception error);
}
