using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GitTorrent.Data;

/// <summary>Embedded SQLite flavour of the model (plain indexes; the PK index serves user id prefixes).</summary>
public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : GitTorrentDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp type and EF cannot ORDER BY or compare DateTimeOffset stored as text there,
        // so store UTC ticks: an integer that sorts correctly and keeps full precision.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
