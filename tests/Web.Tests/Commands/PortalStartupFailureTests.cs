using GitTorrent.Data;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Commands;

/// <summary>A bad PostgreSQL setting stops the portal with one clear line; it never falls back to SQLite.</summary>
public sealed class PortalStartupFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnreachablePostgresExitsNonZeroWithOneLineNamingTheHost()
    {
        using var data = new TempDirectory("portal-badpg");
        var portal = await RunPortalAsync(data.Path, "Host=127.0.0.1;Port=1;Database=gittorrent;Username=gittorrent;Password=x;Timeout=5");

        Assert.NotEqual(0, portal.ExitCode);
        var line = Assert.Single(portal.AllOutput, l => l.Contains("PostgreSQL", StringComparison.Ordinal));
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("connection refused", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Postgres", line, StringComparison.Ordinal);
        Assert.DoesNotContain(portal.AllOutput, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(portal.AllOutput, l => l.Contains("Now listening", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(data.Path, DatabaseSettings.SqliteFileName)), "fell back to SQLite");
    }

    [Fact]
    public async Task EmptyPostgresConnectionStringIsAnErrorNotSqlite()
    {
        using var data = new TempDirectory("portal-emptypg");
        var portal = await RunPortalAsync(data.Path, " ");

        Assert.NotEqual(0, portal.ExitCode);
        Assert.Single(portal.AllOutput, l => l.Contains("ConnectionStrings__Postgres is set but empty", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(data.Path, DatabaseSettings.SqliteFileName)), "fell back to SQLite");
    }

    [Fact]
    public async Task MalformedPostgresConnectionStringIsAnError()
    {
        using var data = new TempDirectory("portal-malformedpg");
        var portal = await RunPortalAsync(data.Path, "Host=127.0.0.1;Port=notaport");

        Assert.NotEqual(0, portal.ExitCode);
        Assert.Single(portal.AllOutput, l => l.Contains("is not a valid PostgreSQL connection string", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(data.Path, DatabaseSettings.SqliteFileName)), "fell back to SQLite");
    }

    [Theory]
    [InlineData("GitTorrent__Bind", "nonsense", "GitTorrent:Bind must be an IP address")]
    [InlineData("GitTorrent__DhtPort", "70000", "DhtPort")]
    [InlineData("GitTorrent__Bootstrap", "router-without-port", "GitTorrent:Bootstrap entries must be host:port")]
    [InlineData("GitTorrent__Bitcoin__Network", "mainnet", "Network")]
    public async Task InvalidSettingExitsNonZeroBeforeTouchingTheDatabase(string variable, string value, string expected)
    {
        using var data = new TempDirectory("portal-badsetting");
        var environment = PortalProcess.Environment(data.Path, null);
        environment[variable] = value;
        var portal = await ProcessRunner.RunAsync(
                "dotnet", [PortalProcess.WebDll, "--urls", "http://127.0.0.1:0"], Timeout, environment,
                Path.GetDirectoryName(PortalProcess.WebDll))
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));

        Assert.Equal(1, portal.ExitCode);
        var line = Assert.Single(portal.StandardError);
        Assert.StartsWith("Invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, DatabaseSettings.SqliteFileName)), "touched the database");
    }

    private static async Task<ProcessRunner> RunPortalAsync(string dataDirectory, string postgres)
    {
        var environment = PortalProcess.Environment(dataDirectory, postgres);
        return await ProcessRunner.RunAsync(
                "dotnet", [PortalProcess.WebDll, "--urls", "http://127.0.0.1:0"], Timeout, environment,
                Path.GetDirectoryName(PortalProcess.WebDll))
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));
    }
}
