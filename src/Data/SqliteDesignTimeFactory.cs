using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace GitTorrent.Data;

/// <summary>
/// Used only by <c>dotnet ef migrations add X --context SqliteDbContext --output-dir Migrations/Sqlite</c>.
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDbContext>
{
    public SqliteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>()
            .UseSqlite("Data Source=gittorrent-design.db")
            .Options);
}
