using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class RepositoryConfiguration : IEntityTypeConfiguration<Repository>
{
    public void Configure(EntityTypeBuilder<Repository> builder)
    {
        builder.ToTable("repositories");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.UserId).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(r => r.Name).HasMaxLength(DataLimits.MaxRepositoryName);
        builder.Property(r => r.Head).HasMaxLength(DataLimits.MaxRefName);

        builder.HasIndex(r => new { r.UserId, r.Name }).IsUnique();
        builder.HasIndex(r => r.Name);
        builder.HasIndex(r => r.LastUpdated);

        builder.HasMany(r => r.Refs)
            .WithOne(f => f.Repository)
            .HasForeignKey(f => f.RepositoryId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}
