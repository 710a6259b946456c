using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Data.Tests;

/// <summary>A fresh database of one provider (<see cref="TestDatabase"/>), migrated once per test class by the real <see cref="DatabaseMigrator"/>.</summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TestDatabase.Timeout;

    private TestDatabase _database = null!;

    public DatabaseSettings Settings => _database.Settings;

    public GitTorrentDbContextFactory Factory => _database.ConcreteFactory;

    /// <summary>The data folder (where SQLite keeps its file).</summary>
    public string DataDirectory => _database.DataDirectory;

    /// <summary>A migrator over the same database, to run the migration again.</summary>
    public DatabaseMigrator Migrator { get; private set; } = null!;

    /// <summary>The migration run on the fresh database.</summary>
    public MigrationResult FirstMigration => _database.Migration;

    public abstract DatabaseProvider ExpectedProvider { get; }

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(ExpectedProvider, "data");
        Migrator = new DatabaseMigrator(Settings, Factory, NullLogger<DatabaseMigrator>.Instance);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();
}

public sealed class PostgresDatabaseFixture : DatabaseFixture
{
    public override DatabaseProvider ExpectedProvider => DatabaseProvider.Postgres;
}

public sealed class SqliteDatabaseFixture : DatabaseFixture
{
    public override DatabaseProvider ExpectedProvider => DatabaseProvider.Sqlite;
}
