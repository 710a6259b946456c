using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Data;

/// <summary>PostgreSQL flavour of the model: adds pg_trgm and trigram GIN indexes for search.</summary>
public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : GitTorrentDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasPostgresExtension("pg_trgm");

        // Substring/similarity search (ILIKE '%q%', %) over names; the indexer issue queries through these.
        modelBuilder.Entity<NameRegistration>()
            .HasIndex(n => n.Name, "IX_name_registrations_Name_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops");
        modelBuilder.Entity<User>()
            .HasIndex(u => u.DisplayName, "IX_users_DisplayName_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops");
        modelBuilder.Entity<Repository>()
            .HasIndex(r => r.Name, "IX_repositories_Name_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops");

        // User id prefix lookups (LIKE 'abcd%') need text_pattern_ops unless the database collation is C.
        modelBuilder.Entity<User>()
            .HasIndex(u => u.UserId, "IX_users_UserId_prefix")
            .HasOperators("text_pattern_ops");
    }
}
