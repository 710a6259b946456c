using GitTorrent.Data;
using GitTorrent.Indexer;
using Microsoft.Extensions.Options;

// The indexer on its own (portals scaled out over one PostgreSQL run it once, here). Same data setup and same
// explicit migration step as the portal.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddGitTorrentData(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddGitTorrentIndexer(builder.Configuration);
// Its own DHT client node (profile gets, manifest torrents), state below the data folder.
var dataDirectory = DataDirectory.Resolve(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddNodeHost(o => o.StateDirectory ??= Path.Combine(dataDirectory, "indexer-node"));
builder.Services.AddProfileCrawler();
using var host = builder.Build();

// Settings first: a bad value stops the worker before any database is touched.
try
{
    _ = host.Services.GetRequiredService<IOptions<BitcoinOptions>>().Value;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", e.Failures)}");
    return 1;
}

using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
var migration = await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(startup.Token);
if (!migration.Succeeded)
{
    return 1;
}

host.Services.GetRequiredService<IndexerStatus>().LogStartup();
await host.RunAsync();
return 0;
