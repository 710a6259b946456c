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
    /// Binds <see cref="BitcoinOptions"/> from <c>GitTorrent:Bitcoin</c> and, when an RPC URL is configured, adds the
    /// RPC block source and <see cref="NameScannerService"/>. An <see cref="INameStore"/> must be registered too
    /// (the database layer's).
    /// </summary>
    public static IServiceCollection AddBitcoinNameIndexing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BitcoinOptions>()
            .BindConfiguration(BitcoinOptions.Section)
            .Validate(o => o.Validate() is null, "Invalid GitTorrent:Bitcoin settings (see BitcoinOptions.Validate).")
            .ValidateOnStart();
        var settings = configuration.GetSection(BitcoinOptions.Section).Get<BitcoinOptions>() ?? new BitcoinOptions();
        if (!settings.Enabled)
        {
            return services;
        }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBlockSource>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BitcoinOptions>>().Value;
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            return new BitcoinRpcClient(new BitcoinRpc(http, new Uri(o.Rpc!), o.RpcUser, o.RpcPassword), o.ParsedNetwork);
        });
        services.AddSingleton<NameScannerService>();
        services.AddHostedService(sp => sp.GetRequiredService<NameScannerService>());
        return services;
    }
}
