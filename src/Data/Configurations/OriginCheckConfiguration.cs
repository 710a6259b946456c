using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class OriginCheckConfiguration : IEntityTypeConfiguration<OriginCheck>
{
    public void Configure(EntityTypeBuilder<OriginCheck> builder)
    {
        builder.ToTable("origin_checks");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.UserId).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(c => c.Repository).HasMaxLength(DataLimits.MaxRepositoryName);
        builder.Property(c => c.OriginUrl).HasMaxLength(2048);
        builder.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.DifferingRefs).HasMaxLength(DataLimits.MaxOriginDifferences);
        builder.Property(c => c.Error).HasMaxLength(DataLimits.MaxJobError);
        builder.HasIndex(c => new { c.UserId, c.Repository }).IsUnique();
    }
}
