using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class PortalKeyConfiguration : IEntityTypeConfiguration<PortalKey>
{
    public void Configure(EntityTypeBuilder<PortalKey> builder)
    {
        builder.ToTable("portal_key");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.UserId).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(k => k.PublicKey).HasMaxLength(32);
        builder.Property(k => k.ProtectedSeed).HasMaxLength(1024);
    }
}
