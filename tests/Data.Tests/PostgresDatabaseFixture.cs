using GitTorrent.TestSupport;
using Microsoft.Extensions.Configuration;

namespace GitTorrent.Data.Tests;

public sealed class PostgresDatabaseFixture : DatabaseFixture
{
    private string? connectionString;

    public override DatabaseProvider ExpectedProvider => DatabaseProvider.Postgres;

    public override async Task DisposeAsync()
    {
        if (connectionString is not null)
        {
            using var cts = new CancellationTokenSource(Timeout);
            await TestPostgres.DropDatabaseAsync(connectionString, cts.Token).WaitAsync(Timeout);
        }
    }

    protected override DatabaseSettings CreateSettings()
    {
        // Throws with "run ./test.sh" when GITTORRENT_TEST_POSTGRES is absent: every test of the class fails.
        connectionString = TestPostgres.NewDatabaseConnectionString("data");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString })
            .Build();
        return DatabaseSettings.FromConfiguration(configuration, Path.GetTempPath());
    }
}
