using Npgsql;

namespace GitTorrent.TestSupport;

/// <summary>
/// The PostgreSQL server the tests use: <c>GITTORRENT_TEST_POSTGRES</c>, a connection string to a server where the
/// user may create databases. <c>./test.sh</c> starts a throwaway server and sets it. Each fixture creates its own
/// uniquely named database and drops it afterwards. Without the variable the PostgreSQL tests fail (never skip).
/// </summary>
public static class TestPostgres
{
    public const string Variable = "GITTORRENT_TEST_POSTGRES";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL half of the suite cannot run. Run ./test.sh (it starts a "
                + "throwaway PostgreSQL on 127.0.0.1 and sets it), or set it to a server connection string such as "
                + "Host=127.0.0.1;Port=5432;Username=postgres;Password=...");

    /// <summary>A connection string to a new, not yet created database on the test server.</summary>
    public static string NewDatabaseConnectionString(string purpose)
    {
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString)
        {
            Database = $"gt_{purpose}_{Guid.NewGuid():N}".ToLowerInvariant(),
        };
        return builder.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var server = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false, Database = "postgres" };
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{target.Database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
