using GitTorrent.Indexer.Jobs;
using GitTorrent.Indexer.Names;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitTorrent.Indexer;

public static class IndexerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the indexer for the standalone worker and for the portal (which runs it in-process).
    /// For now: the validated <see cref="BitcoinOptions"/>, <see cref="IndexerStatus"/> and, when an RPC URL is set,
    /// the Bitcoin name scanner (<see cref="Names.NameIndexingServiceCollectionExtensions.AddNameScanner"/>). The
    /// profile crawler will be added here as a hosted service.
    /// </summary>
    public static IServiceCollection AddGitTorrentIndexer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BitcoinOptions>()
            .BindConfiguration(BitcoinOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IndexerStatus>();
        // The one routine that claims, renews and completes leased jobs (needs AddGitTorrentData's JobStore).
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<JobRunner>(sp));
        services.AddNameScanner(configuration);
        return services;
    }
}
