using GitTorrent.Data;
using GitTorrent.Indexer;
using GitTorrent.Web.Commands;
using GitTorrent.Web.Health;
using GitTorrent.Web.Services;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitTorrent.Web;

public static class PortalServiceCollectionExtensions
{
    /// <summary>Everything the portal registers, shared by the web server and the maintenance commands.</summary>
    public static WebApplicationBuilder AddGitTorrentPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var contentRoot = builder.Environment.ContentRootPath;

        services.AddOptions<PortalOptions>()
            .BindConfiguration(PortalOptions.SectionName)
            .PostConfigure(o => o.DataDir = DataDirectory.Resolve(builder.Configuration, contentRoot))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddGitTorrentData(builder.Configuration, contentRoot);

        // Keys for antiforgery tokens and Blazor circuits live in the data folder, so restarts and containers keep them.
        services.AddDataProtection()
            .SetApplicationName("GitTorrent.Web")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(DataDirectory.Resolve(builder.Configuration, contentRoot), "keys")));
        services.AddGitTorrentIndexer(builder.Configuration);

        // /healthz: every registered IHealthCheck must pass. The swarm issue adds its DHT check here the same way:
        // services.AddHealthChecks().AddCheck<DhtHealthCheck>("dht");
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, timeout: TimeSpan.FromSeconds(10));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HomeFeed>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<PortalCommandDispatcher>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }
}
