using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class SeededPackConfiguration : IEntityTypeConfiguration<SeededPack>
{
    public void Configure(EntityTypeBuilder<SeededPack> builder)
    {
        builder.ToTable("seeded_packs");
        builder.HasKey(p => p.InfoHash);
        builder.Property(p => p.InfoHash).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(p => p.Commit).HasMaxLength(DataLimits.Sha1Hex);
        builder.HasIndex(p => p.Commit);
    }
}
