using GitTorrent.TestSupport.Bitcoin;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitTorrent.Indexer.Tests.Bitcoin;

/// <summary>The indexer's own registration (data layer + AddGitTorrentIndexer) following a real bcoin node into SQLite.</summary>
public sealed class IndexerHostNamesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_indexer_host_indexes_names_from_a_real_node_into_the_database()
    {
        await using var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        await node.MineAsync(101).WaitAsync(Timeout);
        using var data = new TempDirectory("indexer-names");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitTorrent:DataDir"] = data.Path,
            ["GitTorrent:Bitcoin:Rpc"] = node.RpcUrl.ToString(),
            ["GitTorrent:Bitcoin:RpcUser"] = "x",
            ["GitTorrent:Bitcoin:RpcPassword"] = BcoinNode.ApiKey,
            ["GitTorrent:Bitcoin:Network"] = "regtest",
            ["GitTorrent:Bitcoin:PollInterval"] = "00:00:00.100",
        });
        builder.Services.AddGitTorrentData(builder.Configuration, data.Path);
        builder.Services.AddGitTorrentIndexer(builder.Configuration);
        using var host = builder.Build();
        using (var cts = new CancellationTokenSource(Timeout))
        {
            Assert.True((await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cts.Token)).Succeeded);
        }
        await host.StartAsync().WaitAsync(Timeout);
        try
        {
            var owner = Hash20.Sha1("owner"u8);
            await node.SendOpReturnAsync(NamePayload.EncodeClaim("hosted", owner)).WaitAsync(Timeout);
            await node.MineAsync(1).WaitAsync(Timeout);

            var lookup = host.Services.GetRequiredService<NameLookup>();
            var deadline = DateTime.UtcNow + Timeout;
            NameResolution? resolution;
            while ((resolution = await lookup.ResolveAsync("hosted", CancellationToken.None).WaitAsync(Timeout)) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the claim was not indexed in time; last error: "
                    + host.Services.GetRequiredService<NameScannerService>().LastError);
                await Task.Delay(100);
            }
            Assert.Equal(owner, resolution.Owner);
            Assert.Equal(NameStatus.Settling, resolution.Status);
            Assert.Equal(await node.GetBlockCountAsync(), resolution.TipHeight);
            Assert.Null(host.Services.GetRequiredService<NameScannerService>().LastError);

            // A reorganisation replaces the claim's block with one carrying someone else's claim.
            var claimBlock = resolution.OwnerEntry!.BlockHash;
            await node.InvalidateBlockAsync(claimBlock).WaitAsync(Timeout);
            var rival = Hash20.Sha1("rival"u8);
            await node.SendOpReturnAsync(NamePayload.EncodeClaim("hosted", rival)).WaitAsync(Timeout);
            await node.MineAsync(2).WaitAsync(Timeout);
            while ((resolution = await lookup.ResolveAsync("hosted", CancellationToken.None).WaitAsync(Timeout))?.Owner != rival)
            {
                Assert.True(DateTime.UtcNow < deadline, "the reorganisation was not indexed in time; last error: "
                    + host.Services.GetRequiredService<NameScannerService>().LastError);
                await Task.Delay(100);
            }
            Assert.DoesNotContain(resolution!.Entries, e => e.Entry.BlockHash == claimBlock);
            Assert.Single(resolution.Entries);
        }
        finally
        {
            await host.StopAsync().WaitAsync(Timeout);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
