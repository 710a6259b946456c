using GitTorrent.Indexer.Discovery;
using GitTorrent.Indexer.Profiles;
using GitTorrent.Indexer.Node;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace GitTorrent.Indexer;

public static class ProfileCrawlerServiceCollectionExtensions
{
    /// <summary>
    /// The process's GitTorrent node (<see cref="NodeHost"/>, options from section <c>GitTorrent</c>). Hosts
    /// set <see cref="NodeHostOptions.StateDirectory"/> below their data folder.
    /// </summary>
    public static IServiceCollection AddNodeHost(this IServiceCollection services, Action<NodeHostOptions>? configure = null)
    {
        var builder = services.AddOptions<NodeHostOptions>().BindConfiguration(NodeHostOptions.SectionName).ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            builder.PostConfigure(configure);
        }
        services.TryAddSingleton<NodeHost>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeHost>());
        return services;
    }

    /// <summary>The profile crawler and the store it writes through (needs <see cref="AddNodeHost"/>).</summary>
    public static IServiceCollection AddProfileCrawler(this IServiceCollection services)
    {
        services.AddOptions<ProfileCrawlerOptions>().BindConfiguration(ProfileCrawlerOptions.SectionName).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProfileStore>();
        services.TryAddSingleton<ProfileCrawlQueue>();
        services.TryAddSingleton<ProfileCrawler>();
        services.AddHostedService(sp => sp.GetRequiredService<ProfileCrawler>());

        // Discovery of users: keys from puts at our node (scanned by the crawler), samples of other nodes' items,
        // followed portals' feeds and ids asked for, each bounded and counted (README "Discovery of users").
        services.AddOptions<DiscoveryOptions>().BindConfiguration(DiscoveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DiscoveryStatistics>();
        services.TryAddSingleton<DiscoveryQueue>();
        services.TryAddSingleton<PutDiscovery>();
        services.TryAddSingleton<SampleDiscovery>();
        services.AddHostedService(sp => sp.GetRequiredService<SampleDiscovery>());
        services.TryAddSingleton<DiscoveryLookupService>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryLookupService>());
        services.AddHostedService<PeerFeedFollower>();
        return services;
    }
}
