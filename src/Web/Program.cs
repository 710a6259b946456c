using GitTorrent.Data;
using GitTorrent.Indexer;
using GitTorrent.Web;
using GitTorrent.Web.Commands;
using GitTorrent.Web.Components;
using GitTorrent.Web.Endpoints;
using GitTorrent.Web.Health;
using GitTorrent.Web.Observability;
using GitTorrent.Web.Node;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Security;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddGitTorrentPortal();
if (PortalCommandDispatcher.IsCommand(args))
{
    // A maintenance command's standard output is its answer (whoami prints only the id): logs go to standard error.
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}

// Disposed on every exit path so the console logger flushes (a one-line startup error must never be lost).
await using var app = builder.Build();

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

// Settings first: a bad value stops everything before any database is touched.
string dataDirectory;
try
{
    dataDirectory = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value.DataDir;
    _ = app.Services.GetRequiredService<IOptions<BitcoinOptions>>().Value;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", e.Failures)}");
    return 1;
}

try
{
    // Maintenance commands (migrate, admin, mirror, whoami) run against the same services, then exit.
    if (PortalCommandDispatcher.IsCommand(args))
    {
        return await app.Services.GetRequiredService<PortalCommandDispatcher>().RunAsync(app.Services, args, stopping.Token);
    }

    // The explicit startup step: migrate before serving. On failure the migrator has logged one line; exit non-zero.
    var migration = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(stopping.Token);
    if (!migration.Succeeded)
    {
        return 1;
    }
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Interrupted.");
    return 130;
}

Directory.CreateDirectory(dataDirectory);
app.Services.GetRequiredService<IndexerStatus>().LogStartup();

// One key ring and one portal identity for every replica, then the profile (its mirrors), before the first request.
await app.Services.GetRequiredService<SharedKeyRing>().EnsureAsync(stopping.Token);
await app.Services.GetRequiredService<PortalProfileWriter>().WriteAsync(null, stopping.Token);

// First: who the client is and whether it used HTTPS (only trusted proxies may say), then the headers every response
// carries, then the per-address limit on password posts (before any other work is done for them).
app.UseForwardedHeaders();
app.UsePortalMetrics();
// HEAD runs as GET (same routing and headers, no body): before routing, which is therefore placed explicitly.
app.Use(HeadRequests.AsGet);
app.UseRouting();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseHsts();
if (app.Services.GetRequiredService<IOptions<PortalOptions>>().Value.HttpsRedirect)
{
    app.UseWhen(context => !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/readyz"),
        branch => branch.UseHttpsRedirection());
}
app.Use(SecurityHeaders.AddAsync);
app.UseRateLimiter();

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.Use((context, next) =>
{
    // The HTML not-found page is for browsers: API callers and non-GET requests (git, form posts) keep their status.
    if (context.Request.Path.StartsWithSegments("/api") || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
    {
        context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
    }

    return next(context);
});
app.UseAuthentication();
app.UseAuthorization();
app.UseOutputCache();
app.Use(BrowsePageCachePolicy.DropCookies);
app.UseAntiforgery();
app.MapStaticAssets();
app.MapHealth();
app.MapPortalApi();
app.MapOpenApi();
app.MapAdminEndpoints();
app.MapJobEndpoints();
app.MapRaw();
app.MapArchives();
app.MapBundles();
app.MapGitSmartHttp();
// Repository pages are cached whole for as long as ref lists are (BrowsePageCachePolicy picks them by path;
// tree listings, files and diffs are cached by object id below that).
app.MapPackEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null).CacheOutput(BrowsePageCachePolicy.Name)
    .WithStaticRenderingOnly(typeof(GitTorrent.Web.Components.Pages.Repository.RepositoryPage));

await app.RunAsync();
return 0;
