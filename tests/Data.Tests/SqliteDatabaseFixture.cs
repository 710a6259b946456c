using GitTorrent.TestSupport;
using Microsoft.Extensions.Configuration;

namespace GitTorrent.Data.Tests;

public sealed class SqliteDatabaseFixture : DatabaseFixture
{
    private readonly TempDirectory directory = new("data-sqlite");

    public string DataDirectory => directory.Path;

    public override DatabaseProvider ExpectedProvider => DatabaseProvider.Sqlite;

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Dispose();
        return Task.CompletedTask;
    }

    protected override DatabaseSettings CreateSettings() =>
        DatabaseSettings.FromConfiguration(new ConfigurationBuilder().Build(), directory.Path);
}
