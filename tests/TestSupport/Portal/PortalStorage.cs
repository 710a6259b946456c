using GitTorrent.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.TestSupport.Portal;

/// <summary>A data folder and, for PostgreSQL, a fresh database (dropped on dispose) for one portal test.</summary>
public sealed class PortalStorage : IAsyncDisposable
{
    private readonly TempDirectory directory = new("portal");

    private PortalStorage(string? postgresConnectionString) => PostgresConnectionString = postgresConnectionString;

    public string DataDirectory => directory.Path;

    public string? PostgresConnectionString { get; }

    public static PortalStorage Sqlite() => new(null);

    public static PortalStorage Postgres() => new(TestPostgres.NewDatabaseConnectionString("web"));

    /// <summary>The database providers a suite runs on, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> Providers => [["sqlite"], ["postgres"]];

    /// <summary>Storage on the named provider ("sqlite" or "postgres").</summary>
    public static PortalStorage For(string provider) => provider == "postgres" ? Postgres() : Sqlite();

    /// <summary>The same settings the portal derives from its environment, for reading and writing rows directly.</summary>
    public GitTorrentDbContextFactory OpenFactory()
    {
        var values = new Dictionary<string, string?>();
        if (PostgresConnectionString is not null)
        {
            values["ConnectionStrings:Postgres"] = PostgresConnectionString;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new GitTorrentDbContextFactory(DatabaseSettings.FromConfiguration(configuration, DataDirectory), NullLoggerFactory.Instance);
    }

    /// <summary>
    /// Migrates the database with the product's <see cref="DatabaseMigrator"/> (what the portal runs when it starts)
    /// and returns a factory over it, for a test that writes or reads rows without a portal running.
    /// </summary>
    public async Task<GitTorrentDbContextFactory> MigrateAsync(TimeSpan timeout)
    {
        var factory = OpenFactory();
        using var cts = new CancellationTokenSource(timeout);
        var migration = await new DatabaseMigrator(factory.Settings, factory, NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(cts.Token).WaitAsync(timeout);
        return migration.Succeeded ? factory : throw new InvalidOperationException($"the portal's database did not migrate: {migration}");
    }

    public async ValueTask DisposeAsync()
    {
        if (PostgresConnectionString is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await TestPostgres.DropDatabaseAsync(PostgresConnectionString, cts.Token).WaitAsync(TimeSpan.FromSeconds(60));
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        directory.Dispose();
    }
}
