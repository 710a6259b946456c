using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Names;

public static class NameIndexingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="NameScannerOptions"/> from <c>GitTorrent:Bitcoin</c> and, when <see cref="BitcoinOptions.Rpc"/>
    /// is configured, adds the RPC block source and <see cref="NameScannerService"/>. Call after
    /// <see cref="IndexerServiceCollectionExtensions.AddGitTorrentIndexer"/> (which registers <see cref="BitcoinOptions"/>);
    /// an <see cref="INameStore"/> must be registered too (the database layer's).
    /// </summary>
    public static IServiceCollection AddNameScanner(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NameScannerOptions>()
            .BindConfiguration(BitcoinOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var bitcoin = configuration.GetSection(BitcoinOptions.SectionName).Get<BitcoinOptions>() ?? new BitcoinOptions();
        if (!bitcoin.NameIndexingEnabled)
        {
            return services;
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBlockSource>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BitcoinOptions>>().Value;
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            return new BitcoinRpcClient(new BitcoinRpc(http, new Uri(o.Rpc!), o.RpcUser, o.RpcPassword), BitcoinNetworks.Parse(o.Network));
        });
        services.AddSingleton<NameScannerService>();
        services.AddHostedService(sp => sp.GetRequiredService<NameScannerService>());
        return services;
    }
}
