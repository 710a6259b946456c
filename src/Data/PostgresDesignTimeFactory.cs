using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace GitTorrent.Data;

/// <summary>
/// Used only by <c>dotnet ef migrations add X --context PostgresDbContext --output-dir Migrations/Postgres</c>;
/// adding a migration never connects, so the connection string is a placeholder.
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDbContext>()
            .UseNpgsql("Host=localhost;Database=gittorrent_design")
            .Options);
}
