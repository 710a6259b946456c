using GitTorrent.Indexer.Names;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Tests;

public sealed class IndexerRegistrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void BitcoinOptionsBindFromTheGitTorrentSection()
    {
        using var provider = Build(new()
        {
            ["GitTorrent:Bitcoin:Rpc"] = "http://127.0.0.1:18443/",
            ["GitTorrent:Bitcoin:RpcUser"] = "user",
            ["GitTorrent:Bitcoin:RpcPassword"] = "secret",
            ["GitTorrent:Bitcoin:Network"] = "signet",
            ["GitTorrent:Bitcoin:Confirmations"] = "3",
        });

        var options = provider.GetRequiredService<IOptions<BitcoinOptions>>().Value;
        Assert.Equal(("http://127.0.0.1:18443/", "user", "secret", "signet", 3), (options.Rpc, options.RpcUser, options.RpcPassword, options.Network, options.EffectiveConfirmations));
        Assert.True(provider.GetRequiredService<IndexerStatus>().NameIndexingEnabled);
    }

    [Theory]
    [InlineData("main", null, 6)]
    [InlineData("regtest", null, 1)]
    [InlineData("regtest", "2", 2)]
    public void ConfirmationsDefaultToSixOrOneOnRegtest(string network, string? confirmations, int expected)
    {
        using var provider = Build(new() { ["GitTorrent:Bitcoin:Network"] = network, ["GitTorrent:Bitcoin:Confirmations"] = confirmations });
        Assert.Equal(expected, provider.GetRequiredService<IOptions<BitcoinOptions>>().Value.EffectiveConfirmations);
    }

    [Fact]
    public void WithoutRpcNameIndexingIsOffAndSaysSo()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = Build([], logs);

        var status = provider.GetRequiredService<IndexerStatus>();
        status.LogStartup();

        Assert.False(status.NameIndexingEnabled);
        Assert.Contains((LogLevel.Warning, "name indexing off: no GitTorrent:Bitcoin:Rpc configured"), logs.Entries);
    }

    [Fact]
    public void WithoutRpcTheNameLookupIsRegisteredButNoScanner()
    {
        // The lookup only reads the database: a portal without an RPC answers /api/names from what another indexer wrote.
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddGitTorrentIndexer(configuration);
        services.AddGitTorrentIndexer(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(NameLookup));
        Assert.Single(services, d => d.ServiceType == typeof(INameEntryReader));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(NameScannerService));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IBlockSource));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void WithRpcTheLogDoesNotLeakTheUrl()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = Build(new() { ["GitTorrent:Bitcoin:Rpc"] = "http://user:pw@127.0.0.1:18443/", ["GitTorrent:Bitcoin:Network"] = "regtest" }, logs);

        provider.GetRequiredService<IndexerStatus>().LogStartup();

        var entry = Assert.Single(logs.Entries);
        Assert.Equal("name indexing on: Bitcoin regtest, 1 confirmation(s) to settle", entry.Message);
    }

    [Theory]
    [InlineData("GitTorrent:Bitcoin:Network", "mainnet", "Network")]
    [InlineData("GitTorrent:Bitcoin:Rpc", "127.0.0.1:8332", "must be an http(s) URL")]
    [InlineData("GitTorrent:Bitcoin:Confirmations", "0", "Confirmations")]
    public async Task InvalidSettingsStopTheHostAtStart(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddGitTorrentIndexer(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeout));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeLimitsBindFromGitTorrentLimitsAndBadOnesNameTheSetting()
    {
        static IOptions<GitTorrent.Indexer.Node.NodeHostOptions> Bind(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddNodeHost();
            return services.BuildServiceProvider().GetRequiredService<IOptions<GitTorrent.Indexer.Node.NodeHostOptions>>();
        }

        var limits = Bind(new()
        {
            ["GitTorrent:Limits:MaxConcurrentPackBuilds"] = "3",
            ["GitTorrent:Limits:MaxConnectionsPerAddress"] = "7",
            ["GitTorrent:Limits:BareIdleTimeout"] = "00:00:45",
        }).Value.Limits;
        Assert.Equal((3, 7, TimeSpan.FromSeconds(45), Engine.Client.TorrentEngineOptions.DefaultMaxInboundConnections),
            (limits.MaxConcurrentPackBuilds, limits.MaxConnectionsPerAddress, limits.BareIdleTimeout, limits.MaxInboundConnections));

        var bad = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["GitTorrent:Limits:MaxPackBuildsPerAddress"] = "0" }).Value);
        Assert.Contains("Limits.MaxPackBuildsPerAddress", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DhtLimitsBindFromTheGitTorrentDhtSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitTorrent:Dht:MaxItemsPerAddress"] = "7",
            ["GitTorrent:Dht:EnforceNodeId"] = "false",
            ["GitTorrent:Dht:UnverifiedAmplificationFactor"] = "2.5",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddNodeHost();
        using var provider = services.BuildServiceProvider();

        var dht = provider.GetRequiredService<IOptions<GitTorrent.Indexer.Node.NodeHostOptions>>().Value.Dht;
        Assert.Equal((7, false, 2.5), (dht.MaxItemsPerAddress, dht.EnforceNodeId, dht.UnverifiedAmplificationFactor));
        Assert.Equal(new Engine.Dht.DhtOptions().MaxAnnouncesPerAddress, dht.MaxAnnouncesPerAddress); // unset keys keep their defaults
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, CapturingLoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddProvider(logs ?? new CapturingLoggerProvider()));
        services.AddGitTorrentIndexer(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
