using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class ChainStateConfiguration : IEntityTypeConfiguration<ChainState>
{
    public void Configure(EntityTypeBuilder<ChainState> builder)
    {
        builder.ToTable("chain_state");
        builder.HasKey(c => c.Chain);
        builder.Property(c => c.Chain).HasMaxLength(16);
        builder.Property(c => c.Hash).HasMaxLength(DataLimits.Sha256Hex);
    }
}
