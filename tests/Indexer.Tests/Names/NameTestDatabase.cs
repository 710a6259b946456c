using GitTorrent.Data;
using GitTorrent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Indexer.Tests.Names;

/// <summary>
/// A fresh, migrated database per test (name_registrations has no chain column, so tests must not share one):
/// embedded SQLite in a temp folder, or a new database on the PostgreSQL server of <c>GITTORRENT_TEST_POSTGRES</c>
/// (started by ./test.sh; without it the PostgreSQL tests fail, never skip).
/// </summary>
internal sealed class NameTestDatabase : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory? _directory;
    private readonly string? _postgres;

    private NameTestDatabase(DatabaseSettings settings, TempDirectory? directory, string? postgres)
    {
        ConcreteFactory = new GitTorrentDbContextFactory(settings, NullLoggerFactory.Instance);
        _directory = directory;
        _postgres = postgres;
        Settings = settings;
    }

    public DatabaseSettings Settings { get; }

    public IDbContextFactory<GitTorrentDbContext> Factory => ConcreteFactory;

    private GitTorrentDbContextFactory ConcreteFactory { get; }

    public static async Task<NameTestDatabase> CreateAsync(DatabaseProvider provider)
    {
        NameTestDatabase database;
        if (provider == DatabaseProvider.Sqlite)
        {
            var directory = new TempDirectory("names-sqlite");
            database = new(DatabaseSettings.FromConfiguration(new ConfigurationBuilder().Build(), directory.Path), directory, null);
        }
        else
        {
            var connectionString = TestPostgres.NewDatabaseConnectionString("names");
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString })
                .Build();
            database = new(DatabaseSettings.FromConfiguration(configuration, Path.GetTempPath()), null, connectionString);
        }
        using var cts = new CancellationTokenSource(Timeout);
        var migration = await new DatabaseMigrator(database.Settings, database.ConcreteFactory, NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(cts.Token).WaitAsync(Timeout);
        Assert.True(migration.Succeeded, $"migration failed: {migration}");
        Assert.Equal(provider, database.Settings.Provider);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            using var cts = new CancellationTokenSource(Timeout);
            await TestPostgres.DropDatabaseAsync(_postgres, cts.Token).WaitAsync(Timeout);
        }
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _directory.Dispose();
        }
    }
}
