using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GitTorrent.Bench.Indexer;

/// <summary>A fresh, migrated PostgreSQL database on the benchmark's server, dropped on dispose (also linked by bench/Replicas).</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _connectionString;

    private BenchDatabase(string server, string connectionString, GitTorrentDbContextFactory factory)
    {
        (_server, _connectionString, ConcreteFactory) = (server, connectionString, factory);
    }

    public IDbContextFactory<GitTorrentDbContext> Factory => ConcreteFactory;

    /// <summary>The database's own connection string (bench/Replicas hands it to portal processes).</summary>
    public string ConnectionString => _connectionString;

    /// <summary>PostgreSQL flushes a backend's statistics at most every 10 s when idle: wait this long before reading them.</summary>
    public static readonly TimeSpan StatsSettle = TimeSpan.FromSeconds(11);

    /// <summary>Committed plus rolled-back transactions of this database so far (pg_stat_database; each autocommit statement is one).</summary>
    public async Task<long> TransactionsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", new NpgsqlConnectionStringBuilder(_connectionString).Database!);
        return (long)(await command.ExecuteScalarAsync(ct) ?? 0L);
    }

    private GitTorrentDbContextFactory ConcreteFactory { get; }

    public static async Task<BenchDatabase> CreateAsync(string server, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = $"gt_bench_{Guid.NewGuid():N}" }.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString })
            .Build();
        var settings = DatabaseSettings.FromConfiguration(configuration, Path.GetTempPath());
        var factory = new GitTorrentDbContextFactory(settings, NullLoggerFactory.Instance);
        var migration = await new DatabaseMigrator(settings, factory, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(ct);
        if (!migration.Succeeded)
        {
            throw new InvalidOperationException($"Migrating {settings.Description} failed: {migration}");
        }
        return new BenchDatabase(server, connectionString, factory);
    }

    public async ValueTask DisposeAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await connection.OpenAsync(cts.Token);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cts.Token);
    }
}
