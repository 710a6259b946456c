using GitTorrent.TestSupport.Bitcoin;
using GitTorrent.TestSupport;
using GitTorrent.Data;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Bitcoin;
using GitTorrent.Indexer.Names;
using GitTorrent.Indexer.Tests.Names;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NBitcoin;

namespace GitTorrent.Indexer.Tests.Bitcoin;

public sealed class NameScannerServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    // The follower's steps run as a leased job: the job table lives in a SQLite database of the test.
    private static NameScannerService Service(IBlockSource source, INameStore store, TestDatabase jobs) => new(
        source, store, Profiles.ProfileCrawlerTests.Runner(jobs),
        Options.Create(new NameScannerOptions { PollInterval = TimeSpan.FromMilliseconds(100) }),
        TimeProvider.System, NullLogger<NameScannerService>.Instance);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition().WaitAsync(Timeout))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The service follows a real bcoin node into the real database store (SQLite and PostgreSQL).</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Follows_new_blocks_of_a_real_node(DatabaseProvider provider)
    {
        await using var node = await BcoinNode.StartAsync().WaitAsync(Timeout);
        await node.MineAsync(101).WaitAsync(Timeout);
        await using var index = await IndexedNames.CreateAsync(provider);
        await using var jobs = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var service = Service(new BitcoinRpcClient(node.Rpc, Network.RegTest), index, jobs);
        await service.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        try
        {
            await WaitUntilAsync(async () => (await index.GetTipAsync(CancellationToken.None))?.Height == 101, "the first sync");
            Assert.NotNull(service.LastSuccess);
            Assert.Null(service.LastError);
            Assert.Empty(await index.RowsAsync());

            await node.SendOpReturnAsync(NamePayload.EncodeClaim("live", Hash20.Sha1("k"u8))).WaitAsync(Timeout);
            await node.MineAsync(1).WaitAsync(Timeout);
            await WaitUntilAsync(async () => (await index.RowsAsync()).Count == 1, "the claim");
            var row = Assert.Single(await index.RowsAsync());
            Assert.Equal("live", row.Name);
            Assert.Equal(102, row.BlockHeight);
            Assert.Equal(Hash20.Sha1("k"u8), (await index.ResolveAsync("live")).Owner);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task An_unreachable_node_is_reported_and_retried_not_fatal()
    {
        var port = FreePorts.Tcp(); // nothing listens there
        using var http = new HttpClient();
        var source = new BitcoinRpcClient(http, new Uri($"http://127.0.0.1:{port}/"), "u", "p", "regtest");
        await using var jobs = await TestDatabase.CreateAsync(GitTorrent.Data.DatabaseProvider.Sqlite);
        var service = Service(source, new InMemoryNameStore(), jobs);
        await service.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        await WaitUntilAsync(() => service.LastError is not null, "the error");
        Assert.Contains($"127.0.0.1:{port}", service.LastError);
        await Task.Delay(300);
        Assert.False(service.ExecuteTask!.IsCompleted);
        await service.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.True(service.ExecuteTask.IsCompletedSuccessfully);
    }

    [Fact]
    public void Registration_depends_on_the_rpc_setting_and_validates_options()
    {
        static ServiceProvider Build(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddSingleton<InMemoryNameStore>();
            services.AddSingleton<INameStore>(sp => sp.GetRequiredService<InMemoryNameStore>());
            services.AddSingleton<INameEntryReader>(sp => sp.GetRequiredService<InMemoryNameStore>());
            services.AddGitTorrentData(configuration, Path.GetTempPath()); // the job store (nothing connects here)
            services.AddGitTorrentIndexer(configuration);
            services.AddNameScanner(configuration); // idempotent: AddGitTorrentIndexer already called it
            return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        }

        using (var off = Build([]))
        {
            Assert.Empty(off.GetServices<IHostedService>());
            Assert.Null(off.GetService<IBlockSource>());
        }
        using (var on = Build(new()
        {
            ["GitTorrent:Bitcoin:Rpc"] = "http://127.0.0.1:18443/",
            ["GitTorrent:Bitcoin:Network"] = "regtest",
            ["GitTorrent:Bitcoin:PollInterval"] = "00:00:02",
            ["GitTorrent:Bitcoin:MaxReorgDepth"] = "20",
        }))
        {
            Assert.IsType<NameScannerService>(Assert.Single(on.GetServices<IHostedService>()));
            var options = on.GetRequiredService<IOptions<NameScannerOptions>>().Value;
            Assert.Equal(TimeSpan.FromSeconds(2), options.PollInterval);
            Assert.Equal(20, options.MaxReorgDepth);
            Assert.Equal(0, options.StartHeight);
            var client = Assert.IsType<BitcoinRpcClient>(on.GetRequiredService<IBlockSource>());
            Assert.Equal(Network.RegTest, client.Network);
            Assert.IsType<InMemoryNameStore>(on.GetRequiredService<INameStore>()); // registered first, so kept
            Assert.NotNull(on.GetRequiredService<NameLookup>());
        }
        using (var bad = Build(new() { ["GitTorrent:Bitcoin:StartHeight"] = "-1" }))
        {
            Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<NameScannerOptions>>().Value);
        }
        Assert.Equal(Network.Main, BitcoinNetworks.Parse("main"));
        Assert.Equal(Network.TestNet, BitcoinNetworks.Parse("test"));
        Assert.Equal("signet", BitcoinNetworks.ChainName(BitcoinNetworks.Parse("signet")));
        Assert.Throws<ArgumentException>(() => BitcoinNetworks.Parse("moon"));
    }
}
