using GitTorrent.Data;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Names;

public static class NameIndexingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="NameScannerOptions"/> from <c>GitTorrent:Bitcoin</c>; adds the database store
    /// (<see cref="EfNameStore"/> as <see cref="INameStore"/> and <see cref="INameEntryReader"/>, unless others are
    /// registered first) and <see cref="NameLookup"/> always, since they only read and write the database (a portal
    /// without an RPC still answers <c>/api/names/{name}</c> from what a standalone indexer wrote); and, when
    /// <see cref="BitcoinOptions.Rpc"/> is configured, the RPC block source and <see cref="NameScannerService"/>.
    /// Called by <see cref="IndexerServiceCollectionExtensions.AddGitTorrentIndexer"/> (which registers
    /// <see cref="BitcoinOptions"/>); the store needs the data layer's <see cref="IDbContextFactory{TContext}"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddNameScanner(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(Registered)))
        {
            return services;
        }
        services.AddSingleton<Registered>();
        services.AddOptions<NameScannerOptions>()
            .BindConfiguration(BitcoinOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BitcoinOptions>>().Value;
            return new EfNameStore(
                sp.GetRequiredService<IDbContextFactory<GitTorrentDbContext>>(), o.Network, o.EffectiveConfirmations,
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<INameStore>(sp => sp.GetRequiredService<EfNameStore>());
        services.TryAddSingleton<INameEntryReader>(sp => sp.GetRequiredService<EfNameStore>());
        services.TryAddSingleton(sp => new NameLookup(
            sp.GetRequiredService<INameEntryReader>(), sp.GetRequiredService<IOptions<BitcoinOptions>>().Value.EffectiveConfirmations));
        var bitcoin = configuration.GetSection(BitcoinOptions.SectionName).Get<BitcoinOptions>() ?? new BitcoinOptions();
        if (!bitcoin.NameIndexingEnabled)
        {
            return services;
        }
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

    /// <summary>Marks a collection <see cref="AddNameScanner"/> has already filled.</summary>
    private sealed class Registered;
}
