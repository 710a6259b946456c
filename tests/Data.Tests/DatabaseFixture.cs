using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Data.Tests;

/// <summary>A fresh database of one provider, migrated once per test class by the real <see cref="DatabaseMigrator"/>.</summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public DatabaseSettings Settings { get; private set; } = null!;

    public GitTorrentDbContextFactory Factory { get; private set; } = null!;

    public DatabaseMigrator Migrator { get; private set; } = null!;

    /// <summary>The migration run on the fresh database.</summary>
    public MigrationResult FirstMigration { get; private set; } = null!;

    public abstract DatabaseProvider ExpectedProvider { get; }

    public async Task InitializeAsync()
    {
        Settings = CreateSettings();
        Factory = new GitTorrentDbContextFactory(Settings, NullLoggerFactory.Instance);
        Migrator = new DatabaseMigrator(Settings, Factory, NullLogger<DatabaseMigrator>.Instance);
        using var cts = new CancellationTokenSource(Timeout);
        FirstMigration = await Migrator.MigrateAsync(cts.Token).WaitAsync(Timeout);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract DatabaseSettings CreateSettings();
}
