using GitTorrent.Data;
using GitTorrent.Indexer;
using GitTorrent.Web.Commands;
using GitTorrent.Web.Health;
using GitTorrent.Web.Observability;
using GitTorrent.Web.Admin;
using GitTorrent.Web.Git;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Issues;
using GitTorrent.Web.Mirrors;
using GitTorrent.Web.Rendering;
using GitTorrent.Web.Services;
using GitTorrent.Web.Node;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using GitTorrent.Web.Endpoints;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitTorrent.Web;

public static class PortalServiceCollectionExtensions
{
    /// <summary>Everything the portal registers, shared by the web server and the maintenance commands.</summary>
    public static WebApplicationBuilder AddGitTorrentPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Serve wwwroot and the framework scripts when running from a build output in any environment (the tests run
        // the built portal as Production); a published app has no development manifest and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        var contentRoot = builder.Environment.ContentRootPath;

        services.AddOptions<PortalOptions>()
            .BindConfiguration(PortalOptions.SectionName)
            .PostConfigure(o => o.DataDir = DataDirectory.Resolve(builder.Configuration, contentRoot))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddGitTorrentData(builder.Configuration, contentRoot);

        // Keys for sign-in cookies, antiforgery tokens, Blazor circuits and the portal key live in the database, so every
        // replica opens what another made, and restarts and containers keep them (SharedKeyRing imports <DataDir>/keys).
        services.AddScoped<GitTorrentDbContext>(sp => sp.GetRequiredService<GitTorrentDbContextFactory>().CreateDbContext());
        services.AddDataProtection()
            .SetApplicationName("GitTorrent.Web")
            .PersistKeysToDbContext<GitTorrentDbContext>();
        services.AddSingleton<SharedKeyRing>();
        services.AddGitTorrentIndexer(builder.Configuration);

        // /healthz: every registered IHealthCheck must pass. The swarm issue adds its DHT check here the same way:
        // services.AddHealthChecks().AddCheck<DhtHealthCheck>("dht");
        // /readyz: the database answers and its migrations are current (tagged "ready"; /healthz skips the migrations).
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, timeout: TimeSpan.FromSeconds(10), tags: [MigrationsHealthCheck.ReadyTag])
            .AddCheck<MigrationsHealthCheck>(MigrationsHealthCheck.Name, timeout: TimeSpan.FromSeconds(10), tags: [MigrationsHealthCheck.ReadyTag])
            .AddCheck<DhtHealthCheck>(DhtHealthCheck.Name)
            .AddCheck<StoreHealthCheck>(StoreHealthCheck.Name, timeout: TimeSpan.FromSeconds(10), tags: [MigrationsHealthCheck.ReadyTag]);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PortalCounters>();
        services.AddSingleton<PublicUrl>();
        services.AddSingleton<GitTorrent.Indexer.Node.IPublicBaseUrl>(sp => sp.GetRequiredService<PublicUrl>());

        // Behind a reverse proxy: only the listed proxies may say who the client is and that it used HTTPS.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<PortalOptions>>((o, portal) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = null;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in portal.Value.TrustedProxyNetworks())
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<PortalOptions>>((o, portal) =>
        {
            o.HttpsPort = portal.Value.HttpsPort;
            o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
        });

        // Smart HTTP bounds.
        services.AddOptions<GitHttpOptions>().BindConfiguration(GitHttpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton(ClientSlots.UploadPack, (sp, _) =>
            ClientSlots.ForUploadPacks(sp.GetRequiredService<IOptions<GitHttpOptions>>(), sp.GetRequiredService<PortalCounters>(),
                sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton(ClientSlots.Download, (sp, _) =>
            ClientSlots.ForDownloads(sp.GetRequiredService<IOptions<GitHttpOptions>>(), sp.GetRequiredService<PortalCounters>(),
                sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HomeFeed>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<PortalCommandDispatcher>();
        services.AddMemoryCache();
        services.AddOutputCache(o =>
        {
            o.SizeLimit = 128L * 1024 * 1024;
            o.AddPolicy(GitTorrent.Web.Endpoints.BrowsePageCachePolicy.Name, new GitTorrent.Web.Endpoints.BrowsePageCachePolicy());
        });

        // Browsing: the store of bare repositories and its readers.
        services.AddOptions<BrowseOptions>()
            .BindConfiguration(BrowseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RepositoryStore>();
        services.AddSingleton<BrowseCache>();
        services.AddSingleton<BrowseStatistics>();
        services.AddSingleton<GitWorkGate>();
        services.AddSingleton<GitQueries>();
        services.AddSingleton<GitTorrent.Web.Endpoints.ArchiveLimiter>();
        services.AddSingleton<GitRepositoryPool>();
        services.AddSingleton<SyntaxHighlighter>();
        services.AddSingleton<ReadmeRenderer>();
        services.AddSingleton<GitBrowser>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<RepositoryContextResolver>();
        services.AddIssuesAndForks();

        // Identity, mirrors and the engine's hooks. The engine integrator replaces ISwarmStatus and adds
        // IRepositoryUpdatedHandler implementations (see Swarm/ISwarmStatus.cs).
        services.AddSingleton<PortalIdentity>();
        services.AddSingleton<PortalProfileWriter>();

        // The portal's GitTorrent node (DHT + BitTorrent, state in <DataDir>/node): seeds the store, fetches users'
        // repositories from the swarm, crawls profiles. Hosted services only start with the web server, not for the
        // maintenance commands.
        var dataDirectory = DataDirectory.Resolve(builder.Configuration, contentRoot);
        services.AddNodeHost(o => o.StateDirectory ??= Path.Combine(dataDirectory, "node"));
        services.AddProfileCrawler();
        services.AddSingleton<GitTorrent.Web.Discovery.UserFeed>();
        services.AddSingleton<GitTorrent.Web.Discovery.UserLookupRequests>();
        services.AddSingleton<SwarmActivity>();
        services.AddSingleton<StorageUsage>();
        services.AddSingleton<UserQuota>();
        services.AddSingleton<ISwarmStatus, EngineSwarmStatus>();
        services.AddSingleton<SwarmSeeder>();
        services.AddSingleton<IRepositoryUpdatedHandler>(sp => sp.GetRequiredService<SwarmSeeder>());
        services.AddHostedService(sp => sp.GetRequiredService<SwarmSeeder>());
        services.AddHostedService<SwarmRepositoryFetcher>();
        services.AddSingleton<PortalNotifications>();
        services.AddSingleton<MirrorService>();
        services.AddHostedService<MirrorSyncService>();
        services.AddHostedService<Provenance.OriginCheckService>();
        services.AddSingleton<Provenance.ProvenanceReader>();
        services.AddSingleton<Traffic.TrafficMeter>();
        services.AddSingleton<Traffic.TrafficRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Traffic.TrafficRecorder>());
        services.AddSingleton<Traffic.TrafficReport>();
        services.AddPortalMetrics();

        // Admin area: cookie sign-in against portal_admins; API callers get 401/403 instead of a redirect. Cookies are
        // Secure when the request is HTTPS (directly or through a trusted proxy); each request checks the security stamp.
        services.AddOptions<AdminSignInOptions>().BindConfiguration(AdminSignInOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AdminSignIn>();
        services.AddAdminRateLimiting();
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/admin/login";
                o.AccessDeniedPath = "/admin/login";
                o.Cookie.Name = "gittorrent_admin";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => ApiOr(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiOr(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<AdminSignIn>().ValidateSessionAsync(context);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminSignIn.Policy, p => p.RequireAuthenticatedUser().RequireRole(AdminSignIn.AdminRole));
        services.AddCascadingAuthenticationState();

        // /openapi/v1.json documents the JSON API (/api/*) only: pages, git and pack routes are not an API.
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "GitTorrent portal API";
                document.Info.Description = "JSON views of users, registered names, search and the swarm. Pages: /docs/api.";
                return Task.CompletedTask;
            });
        });
        services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }

    private static Task ApiOr(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
