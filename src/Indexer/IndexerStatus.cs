using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer;

/// <summary>What the indexer is doing, for the hosts' startup log and the portal's home page.</summary>
public sealed partial class IndexerStatus(IOptions<BitcoinOptions> bitcoin, ILogger<IndexerStatus> logger)
{
    public bool NameIndexingEnabled => bitcoin.Value.NameIndexingEnabled;

    public string Network => bitcoin.Value.Network;

    /// <summary>Logs the indexer's state once; both hosts call this right after migrating.</summary>
    public void LogStartup()
    {
        var options = bitcoin.Value;
        if (options.NameIndexingEnabled)
        {
            LogNameIndexingOn(logger, options.Network, options.EffectiveConfirmations);
        }
        else
        {
            LogNameIndexingOff(logger);
        }
    }

    // The RPC URL is not logged: it may carry credentials.
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "name indexing on: Bitcoin {Network}, {Confirmations} confirmation(s) to settle")]
    private static partial void LogNameIndexingOn(ILogger logger, string network, int confirmations);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "name indexing off: no GitTorrent:Bitcoin:Rpc configured")]
    private static partial void LogNameIndexingOff(ILogger logger);
}
