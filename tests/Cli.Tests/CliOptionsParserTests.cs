using System.Net;

namespace GitTorrent.Cli.Tests;

public sealed class CliOptionsParserTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private static readonly string UserHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public void DefaultsMatchTheInterfaceTable()
    {
        var result = CliOptionsParser.Parse(["whoami"], NoEnvironment);

        Assert.True(result.Succeeded, result.Error);
        var options = result.Options!;
        Assert.Equal(Path.Combine(UserHome, ".gittorrent"), options.Home);
        Assert.Null(options.Bootstrap);
        Assert.Equal(6881, options.DhtPort);
        Assert.Equal(30000, options.BtPort);
        Assert.Equal(IPAddress.Any, options.Bind);
        Assert.Null(options.Resolver);
        Assert.Equal("https", options.OriginScheme);
        Assert.Equal(["whoami"], result.Remaining);
    }

    [Fact]
    public void EnvironmentSetsEveryOption()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GITTORRENT_HOME"] = "/tmp/gt-home",
            ["GITTORRENT_BOOTSTRAP"] = "127.0.0.1:7000, router.example:6881",
            ["GITTORRENT_DHT_PORT"] = "0",
            ["GITTORRENT_BT_PORT"] = "40000",
            ["GITTORRENT_BIND"] = "127.0.0.1",
            ["GITTORRENT_RESOLVER"] = "http://127.0.0.1:5000/",
            ["GITTORRENT_ORIGIN_SCHEME"] = "http",
        };

        var options = CliOptionsParser.Parse(["daemon"], environment).Options!;

        Assert.Equal("/tmp/gt-home", options.Home);
        Assert.Equal(["127.0.0.1:7000", "router.example:6881"], options.Bootstrap);
        Assert.Equal(0, options.DhtPort);
        Assert.Equal(40000, options.BtPort);
        Assert.Equal(IPAddress.Loopback, options.Bind);
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), options.Resolver);
        Assert.Equal("http", options.OriginScheme);
    }

    [Fact]
    public void FlagsOverrideEnvironmentInBothSpellingsAndAnywhereOnTheLine()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GITTORRENT_HOME"] = "/tmp/from-env",
            ["GITTORRENT_DHT_PORT"] = "1111",
            ["GITTORRENT_BIND"] = "127.0.0.1",
        };

        var result = CliOptionsParser.Parse(
            ["--home", "/tmp/from-flag", "daemon", "--repos", "/srv/git", "--dht-port=2222", "--bind", "::1"], environment);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("/tmp/from-flag", result.Options!.Home);
        Assert.Equal(2222, result.Options.DhtPort);
        Assert.Equal(IPAddress.IPv6Loopback, result.Options.Bind);
        Assert.Equal(["daemon", "--repos", "/srv/git"], result.Remaining);
    }

    [Fact]
    public void EmptyBootstrapMeansNoNodes()
    {
        var fromEnvironment = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_BOOTSTRAP"] = "" });
        var fromFlag = CliOptionsParser.Parse(["--bootstrap="], NoEnvironment);

        Assert.Equal([], fromEnvironment.Options!.Bootstrap);
        Assert.Equal([], fromFlag.Options!.Bootstrap);
    }

    [Fact]
    public void TildeInHomeIsTheUsersHome()
    {
        var options = CliOptionsParser.Parse(["--home", "~/other"], NoEnvironment).Options!;
        Assert.Equal(Path.Combine(UserHome, "other"), options.Home);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        var result = CliOptionsParser.Parse(["resolve", "--", "--home"], NoEnvironment);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["resolve", "--home"], result.Remaining);
    }

    [Theory]
    [InlineData(new[] { "--dht-port", "70000" }, "--dht-port (GITTORRENT_DHT_PORT): '70000' is not a port number 0-65535")]
    [InlineData(new[] { "--bt-port=-1" }, "--bt-port (GITTORRENT_BT_PORT): '-1' is not a port number 0-65535")]
    [InlineData(new[] { "--bind", "localhost" }, "--bind (GITTORRENT_BIND): 'localhost' is not an IP address such as 0.0.0.0 or 127.0.0.1")]
    [InlineData(new[] { "--bootstrap", "127.0.0.1" }, "--bootstrap (GITTORRENT_BOOTSTRAP): '127.0.0.1' is not host:port")]
    [InlineData(new[] { "--resolver", "ftp://x" }, "--resolver (GITTORRENT_RESOLVER): 'ftp://x' is not an http(s) URL")]
    [InlineData(new[] { "whoami", "--home" }, "--home needs a value")]
    [InlineData(new[] { "--home", " " }, "--home (GITTORRENT_HOME) is empty; give a directory")]
    public void BadValuesAreRejectedWithTheReason(string[] args, string error)
    {
        var result = CliOptionsParser.Parse(args, NoEnvironment);
        Assert.False(result.Succeeded);
        Assert.Null(result.Options);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void BadEnvironmentValuesAreRejectedToo()
    {
        var port = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_BT_PORT"] = "abc" });
        var scheme = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_ORIGIN_SCHEME"] = "ftp" });

        Assert.Equal("--bt-port (GITTORRENT_BT_PORT): 'abc' is not a port number 0-65535", port.Error);
        Assert.Equal("GITTORRENT_ORIGIN_SCHEME must be http or https, not 'ftp'", scheme.Error);
    }

    [Fact]
    public void The_node_limits_come_from_their_variables_and_bad_ones_are_refused_by_name()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GITTORRENT_MAX_PACK_BUILDS"] = "3",
            ["GITTORRENT_MAX_PACK_BUILDS_PER_ADDRESS"] = "2",
            ["GITTORRENT_MAX_REQUESTS"] = "6",
            ["GITTORRENT_MAX_INBOUND"] = "50",
            ["GITTORRENT_MAX_OUTBOUND"] = "40",
            ["GITTORRENT_MAX_CONNECTIONS_PER_ADDRESS"] = "4",
            ["GITTORRENT_HANDSHAKE_TIMEOUT"] = "00:00:05",
            ["GITTORRENT_BARE_IDLE_TIMEOUT"] = "00:01:00",
            ["GITTORRENT_MAX_SERVED_COMMITS"] = "1000",
            ["GITTORRENT_MAX_UPLOAD_RATE"] = "10485760",
            ["GITTORRENT_PACK_CACHE_BYTES"] = "1000000",
        };

        var options = CliOptionsParser.Parse(["daemon"], environment).Options!;

        Assert.Equal(new Engine.Node.NodeLimits
        {
            MaxConcurrentPackBuilds = 3, MaxPackBuildsPerAddress = 2, MaxConcurrentRequests = 6, MaxInboundConnections = 50, MaxOutboundConnections = 40,
            MaxConnectionsPerAddress = 4, HandshakeTimeout = TimeSpan.FromSeconds(5), BareIdleTimeout = TimeSpan.FromMinutes(1),
            MaxServedCommits = 1000, MaxUploadBytesPerSecond = 10_485_760,
        }, options.Limits);
        Assert.Equal(1_000_000, options.PackCacheBytes);
        Assert.Equal(new Engine.Node.NodeLimits(), CliOptionsParser.Parse([], NoEnvironment).Options!.Limits);
        Assert.Equal(Engine.Node.NodeLimits.Settings.Count, environment.Count - 1); // every limit has its variable here

        Assert.Equal("GITTORRENT_MAX_INBOUND: 'many' is not a valid value (connections peers open to us (default 400))",
            CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_MAX_INBOUND"] = "many" }).Error);
        Assert.StartsWith("node limits: MaxPackBuildsPerAddress",
            CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_MAX_PACK_BUILDS_PER_ADDRESS"] = "0" }).Error);
        Assert.StartsWith("node limits: BareIdleTimeout",
            CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_BARE_IDLE_TIMEOUT"] = "-00:00:01" }).Error);
        Assert.Equal("GITTORRENT_PACK_CACHE_BYTES: '0' is not a positive number of bytes",
            CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_PACK_CACHE_BYTES"] = "0" }).Error);
    }

    [Fact]
    public void DhtLimitsComeFromTheirOwnVariablesAndAreChecked()
    {
        Assert.Null(CliOptionsParser.Parse([], NoEnvironment).Options!.Dht);
        var set = CliOptionsParser.Parse([], new Dictionary<string, string?>
        {
            ["GITTORRENT_DHT__MaxItemsPerAddress"] = "7",
            ["GITTORRENT_DHT__ENFORCENODEID"] = "false",
        });
        Assert.True(set.Succeeded, set.Error);
        Assert.Equal((7, false), (set.Options!.Dht!.MaxItemsPerAddress, set.Options.Dht.EnforceNodeId));
        Assert.Equal(6881, set.Options.DhtPort); // GITTORRENT_DHT_PORT is another variable

        var typo = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_DHT__MaxItemsPerAdress"] = "7" });
        var range = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_DHT__MaxItemsPerAddress"] = "0" });
        var number = CliOptionsParser.Parse([], new Dictionary<string, string?> { ["GITTORRENT_DHT__MaxItemsPerAddress"] = "many" });
        Assert.Contains("MaxItemsPerAdress", typo.Error, StringComparison.Ordinal);
        Assert.Contains("MaxItemsPerAddress", range.Error, StringComparison.Ordinal);
        Assert.StartsWith("GITTORRENT_DHT__*: ", number.Error, StringComparison.Ordinal);
    }
}
