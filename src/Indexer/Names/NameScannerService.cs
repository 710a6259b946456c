using GitTorrent.Data.Jobs;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using GitTorrent.Indexer.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Names;

/// <summary>
/// Polls the node and runs <see cref="ChainFollower.SyncAsync"/> every <see cref="NameScannerOptions.PollInterval"/>, each
/// step as the <see cref="JobKinds.ChainFollower"/> job under a lease (one replica at a time follows the chain).
/// RPC failures and store errors are logged and retried after the interval; they never stop the host.
/// <see cref="LastResult"/>, <see cref="LastError"/> and <see cref="LastSuccess"/> feed status pages.
/// </summary>
public sealed partial class NameScannerService(
    IBlockSource source,
    INameStore store,
    JobRunner jobs,
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

    /// <summary>Name entries found in blocks since start.</summary>
    public long EntriesCounted { get; private set; }

    /// <summary>The key of the one <see cref="JobKinds.ChainFollower"/> job: replicas take turns, one step each.</summary>
    public const string JobKey = "main";

    private bool _verified = source is not BitcoinRpcClient;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var planned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                if (!planned)
                {
                    await jobs.Store.EnsureAsync(JobKinds.ChainFollower, [JobKey], time.GetUtcNow(), null, stoppingToken).ConfigureAwait(false);
                    planned = true;
                }
                // A step runs under the job's lease, so replicas over one database never follow the chain twice at once.
                await jobs.RunOneAsync(JobKinds.ChainFollower, async (_, ct) =>
                {
                    var outcome = await StepAsync(ct).ConfigureAwait(false);
                    more = outcome.Succeeded && outcome.NextDue <= time.GetUtcNow();
                    return outcome;
                }, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LastError = e.Message;
                LogSyncFailed(e);
            }
            if (more)
            {
                continue; // more blocks right away
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

    /// <summary>One follower step: up to <see cref="BlocksPerSync"/> blocks; due again at once while not caught up.</summary>
    private async Task<JobOutcome> StepAsync(CancellationToken cancellationToken)
    {
        var later = time.GetUtcNow() + options.Value.PollInterval;
        try
        {
            if (!_verified && source is BitcoinRpcClient client)
            {
                var info = await client.VerifyNetworkAsync(cancellationToken).ConfigureAwait(false);
                LogConnected(client.Rpc.Url, info.Chain, info.Blocks);
                _verified = true;
            }
            var result = await _follower.SyncAsync(cancellationToken).ConfigureAwait(false);
            LastResult = result;
            LastError = null;
            LastSuccess = time.GetUtcNow();
            MalformedCounted += result.Malformed;
            EntriesCounted += result.Entries;
            if (result.RolledBack > 0)
            {
                LogReorganisation(result.RolledBack, result.Tip?.Height ?? -1);
            }
            if (result.Applied > 0)
            {
                LogSynced(result.Applied, result.Entries, result.Malformed, result.Tip?.Height ?? -1);
            }
            return new JobOutcome(result.CaughtUp ? later : time.GetUtcNow());
        }
        catch (Exception e) when (e is BitcoinRpcException or ChainReorganisationTooDeepException)
        {
            LastError = e.Message;
            LogRpcFailed(e.Message); // expected while the node is down or still syncing: one line, no stack
            return new JobOutcome(later, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LastError = e.Message;
            LogSyncFailed(e);
            return new JobOutcome(later, e.Message);
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
