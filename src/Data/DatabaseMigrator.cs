using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GitTorrent.Data;

/// <summary>
/// The one explicit migration step, run by each host before it serves and by the portal's <c>migrate</c> command.
/// On failure it logs exactly one line saying where and what went wrong and returns a failed result; the caller
/// exits non-zero. It never falls back from PostgreSQL to SQLite.
/// </summary>
public sealed partial class DatabaseMigrator(
    DatabaseSettings settings,
    GitTorrentDbContextFactory factory,
    ILogger<DatabaseMigrator> logger)
{
    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        if (settings.Error is not null)
        {
            LogConfigurationError(logger, settings.Error);
            return MigrationResult.Failed(settings.Error);
        }

        if (settings.Provider == DatabaseProvider.Postgres)
        {
            // Probe with a bare connection first: it logs nothing itself, so the only line about an unreachable
            // server is ours, and it names the host and port from the connection string.
            var problem = await ProbePostgresAsync(settings.ConnectionString, cancellationToken);
            if (problem is not null)
            {
                var message = $"{problem}. Check ConnectionStrings__Postgres.";
                LogConnectionFailed(logger, message);
                return MigrationResult.Failed(message);
            }
        }
        else
        {
            var file = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
        }

        try
        {
            await using var db = factory.CreateDbContext();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);
            if (db.Provider == DatabaseProvider.Sqlite)
            {
                // Readers (portal pages) and the indexer's writer can work at the same time in WAL mode.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }

            var total = db.Database.GetMigrations().Count();
            if (pending.Count == 0)
            {
                LogUpToDate(logger, settings.Description, total);
            }
            else
            {
                LogApplied(logger, pending.Count, settings.Description, string.Join(", ", pending));
            }

            return new MigrationResult(true, pending, null);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or DbUpdateException)
        {
            var message = $"Migrating the database ({settings.Description}) failed: {OneLine(e)}";
            LogMigrationFailed(logger, message);
            return MigrationResult.Failed(message);
        }
    }

    /// <summary>Returns null when the server answers (a missing database is fine: migrating creates it).</summary>
    private async Task<string?> ProbePostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        var endpoint = settings.Endpoint;
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return null;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword
            or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return $"Cannot log in to PostgreSQL at {endpoint} as '{builder.Username}' — {e.MessageText}";
        }
        catch (PostgresException e)
        {
            return $"PostgreSQL at {endpoint} refused the connection — {e.MessageText} ({e.SqlState})";
        }
        catch (NpgsqlException e)
        {
            return $"Cannot reach PostgreSQL at {endpoint} — {Describe(e, builder.Timeout)}";
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            return $"Cannot reach PostgreSQL at {endpoint} — {Describe(e, builder.Timeout)}";
        }
    }

    private static string Describe(Exception e, int timeoutSeconds)
    {
        for (var inner = (Exception?)e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "host not found";
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                case TimeoutException:
                    return $"no answer within {timeoutSeconds} s (timeout)";
                case SocketException s:
                    return s.Message;
            }
        }

        return OneLine(e);
    }

    private static string OneLine(Exception e)
    {
        var text = e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})";
        return text.ReplaceLineEndings(" ");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogConnectionFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogConfigurationError(ILogger logger, string message);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogMigrationFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Database {Database} is up to date ({Count} migrations applied earlier)")]
    private static partial void LogUpToDate(ILogger logger, string database, int count);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Applied {Count} migration(s) to {Database}: {Migrations}")]
    private static partial void LogApplied(ILogger logger, int count, string database, string migrations);
}
