using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class ProcessedBlockConfiguration : IEntityTypeConfiguration<ProcessedBlock>
{
    public void Configure(EntityTypeBuilder<ProcessedBlock> builder)
    {
        builder.ToTable("processed_blocks");
        builder.HasKey(b => new { b.Chain, b.Height });
        builder.Property(b => b.Chain).HasMaxLength(16);
        builder.Property(b => b.Hash).HasMaxLength(DataLimits.Sha256Hex);
    }
}
