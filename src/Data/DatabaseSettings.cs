using Microsoft.Extensions.Configuration;
using Npgsql;

namespace GitTorrent.Data;

/// <summary>
/// Which database the process uses, decided once from configuration: <c>ConnectionStrings:Postgres</c> present means
/// PostgreSQL (and only PostgreSQL: a bad or unreachable server is an error, never a silent switch to SQLite);
/// absent means the embedded SQLite file <c>&lt;DataDir&gt;/gittorrent.db</c>.
/// </summary>
public sealed record DatabaseSettings
{
    public const string PostgresConnectionStringName = "Postgres";
    public const string SqliteFileName = "gittorrent.db";

    public required DatabaseProvider Provider { get; init; }

    /// <summary>The connection string to use; empty when <see cref="Error"/> is set.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Where the data lives, for log lines: <c>host:port/database</c> or the SQLite file path.</summary>
    public required string Description { get; init; }

    /// <summary>PostgreSQL host(s) and port as written in the connection string, for error messages.</summary>
    public string? Endpoint { get; init; }

    /// <summary>A configuration problem found while reading the settings; the migrator reports it and fails.</summary>
    public string? Error { get; init; }

    public static DatabaseSettings FromConfiguration(IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var postgres = configuration.GetConnectionString(PostgresConnectionStringName);
        if (postgres is null)
        {
            var file = Path.Combine(dataDirectory, SqliteFileName);
            return new DatabaseSettings
            {
                Provider = DatabaseProvider.Sqlite,
                ConnectionString = $"Data Source={file}",
                Description = $"SQLite file {file}",
            };
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            return Invalid("ConnectionStrings__Postgres is set but empty. Give a PostgreSQL connection string "
                + "(Host=...;Database=...;Username=...;Password=...) or unset it to use the embedded SQLite database.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(postgres);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return Invalid($"ConnectionStrings__Postgres is not a valid PostgreSQL connection string ({e.Message}). "
                + "Expected Host=...;Port=5432;Database=...;Username=...;Password=...");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            return Invalid("ConnectionStrings__Postgres has no Host. Add Host=<server> to it.");
        }

        var endpoint = $"{builder.Host}:{builder.Port}";
        return new DatabaseSettings
        {
            Provider = DatabaseProvider.Postgres,
            ConnectionString = builder.ConnectionString,
            Endpoint = endpoint,
            Description = $"PostgreSQL {endpoint}/{builder.Database ?? builder.Username}",
        };

        static DatabaseSettings Invalid(string error) => new()
        {
            Provider = DatabaseProvider.Postgres,
            ConnectionString = string.Empty,
            Description = "PostgreSQL (invalid configuration)",
            Error = error,
        };
    }
}
