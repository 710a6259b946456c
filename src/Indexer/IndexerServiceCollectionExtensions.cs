using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitTorrent.Indexer;

public static class IndexerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the indexer for the standalone worker and for the portal (which runs it in-process).
    /// For now: the validated <see cref="BitcoinOptions"/> and <see cref="IndexerStatus"/>. The profile crawler and
    /// the chain follower will be added here as hosted services.
    /// </summary>
    public static IServiceCollection AddGitTorrentIndexer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BitcoinOptions>()
            .BindConfiguration(BitcoinOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IndexerStatus>();
        return services;
    }
}
