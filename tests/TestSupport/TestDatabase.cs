using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.TestSupport;

/// <summary>
/// A fresh database of one provider, migrated by the product's own <see cref="DatabaseMigrator"/>: SQLite in a
/// temporary data folder, or a new database on the run's PostgreSQL server (<see cref="TestPostgres"/>). The one way
/// tests get a migrated database without a portal; dropped (PostgreSQL) or deleted (SQLite) on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory;
    private readonly string? _postgres;

    private TestDatabase(TempDirectory directory, string? postgres)
    {
        _directory = directory;
        _postgres = postgres;
        var values = new Dictionary<string, string?>();
        if (postgres is not null)
        {
            values["ConnectionStrings:Postgres"] = postgres;
        }
        Settings = DatabaseSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), directory.Path);
        ConcreteFactory = new GitTorrentDbContextFactory(Settings, NullLoggerFactory.Instance);
    }

    public DatabaseSettings Settings { get; }

    public GitTorrentDbContextFactory ConcreteFactory { get; }

    public IDbContextFactory<GitTorrentDbContext> Factory => ConcreteFactory;

    /// <summary>The data folder (where SQLite keeps its file).</summary>
    public string DataDirectory => _directory.Path;

    /// <summary>What the first migration of the fresh database reported.</summary>
    public MigrationResult Migration { get; private set; } = null!;

    /// <summary>Creates and migrates; throws with the migrator's error when the migration fails.</summary>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, string purpose = "test")
    {
        var postgres = provider == DatabaseProvider.Postgres ? TestPostgres.NewDatabaseConnectionString(purpose) : null;
        var database = new TestDatabase(new TempDirectory(purpose + "-db"), postgres);
        using var cts = new CancellationTokenSource(Timeout);
        database.Migration = await new DatabaseMigrator(database.Settings, database.ConcreteFactory, NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(cts.Token).WaitAsync(Timeout);
        if (!database.Migration.Succeeded || database.Settings.Provider != provider)
        {
            await database.DisposeAsync();
            throw new InvalidOperationException($"the {provider} test database did not migrate: {database.Migration}");
        }
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            using var cts = new CancellationTokenSource(Timeout);
            await TestPostgres.DropDatabaseAsync(_postgres, cts.Token).WaitAsync(Timeout);
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        _directory.Dispose();
    }
}
