using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace GitTorrent.Data;

/// <summary>
/// Creates short-lived contexts of the configured provider's subclass. Options are built once per process.
/// </summary>
public sealed class GitTorrentDbContextFactory(DatabaseSettings settings, ILoggerFactory loggerFactory)
    : IDbContextFactory<GitTorrentDbContext>
{
    private readonly Lazy<DbContextOptions> options = new(() => BuildOptions(settings, loggerFactory));

    public DatabaseSettings Settings => settings;

    public GitTorrentDbContext CreateDbContext()
    {
        if (settings.Error is not null)
        {
            throw new InvalidOperationException(settings.Error);
        }

        return settings.Provider switch
        {
            DatabaseProvider.Postgres => new PostgresDbContext((DbContextOptions<PostgresDbContext>)options.Value),
            _ => new SqliteDbContext((DbContextOptions<SqliteDbContext>)options.Value),
        };
    }

    private static DbContextOptions BuildOptions(DatabaseSettings settings, ILoggerFactory loggerFactory)
    {
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            return new DbContextOptionsBuilder<PostgresDbContext>()
                .UseNpgsql(settings.ConnectionString)
                .UseLoggerFactory(loggerFactory)
                .Options;
        }

        return new DbContextOptionsBuilder<SqliteDbContext>()
            .UseSqlite(settings.ConnectionString)
            .UseLoggerFactory(loggerFactory)
            .Options;
    }
}
