using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class MirrorConfiguration : IEntityTypeConfiguration<Mirror>
{
    public void Configure(EntityTypeBuilder<Mirror> builder)
    {
        builder.ToTable("mirrors");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(DataLimits.MaxRepositoryName);
        builder.Property(m => m.OriginUrl).HasMaxLength(2048);
        builder.Property(m => m.LastError).HasMaxLength(2000);
        builder.HasIndex(m => m.Name).IsUnique();
    }
}
