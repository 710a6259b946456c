using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class NameRegistrationConfiguration : IEntityTypeConfiguration<NameRegistration>
{
    public void Configure(EntityTypeBuilder<NameRegistration> builder)
    {
        builder.ToTable("name_registrations");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Name).HasMaxLength(DataLimits.MaxUserName);
        builder.Property(n => n.Kind)
            .HasMaxLength(16)
            .HasConversion(k => k.ToString().ToUpperInvariant(), s => Enum.Parse<NameRegistrationKind>(s, true));
        builder.Property(n => n.Status)
            .HasMaxLength(16)
            .HasConversion(k => k.ToString().ToLowerInvariant(), s => Enum.Parse<NameRegistrationStatus>(s, true));
        builder.Property(n => n.KeyHash).HasMaxLength(DataLimits.Sha256Hex);
        builder.Property(n => n.Commitment).HasMaxLength(DataLimits.Sha256Hex);
        builder.Property(n => n.Salt).HasMaxLength(DataLimits.Sha256Hex);
        builder.Property(n => n.Txid).HasMaxLength(DataLimits.Sha256Hex);
        builder.Property(n => n.BlockHash).HasMaxLength(DataLimits.Sha256Hex);
        builder.Property(n => n.Reason).HasMaxLength(500);

        builder.HasIndex(n => new { n.Txid, n.Vout }).IsUnique();
        builder.HasIndex(n => n.Name);
        builder.HasIndex(n => n.Commitment);
        builder.HasIndex(n => n.KeyHash);
        // A reorg deletes every entry above a height.
        builder.HasIndex(n => n.BlockHeight);
    }
}
