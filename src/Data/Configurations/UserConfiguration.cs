using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.UserId);
        builder.Property(u => u.UserId).HasMaxLength(DataLimits.Sha1Hex).IsFixedLength(false);
        builder.Property(u => u.PublicKey).HasMaxLength(32);
        builder.Property(u => u.RawProfile).HasMaxLength(DataLimits.MaxProfileBytes);
        builder.Property(u => u.Signature).HasMaxLength(64);
        builder.Property(u => u.DisplayName).HasMaxLength(DataLimits.MaxDisplayName);
        builder.Property(u => u.Email).HasMaxLength(DataLimits.MaxEmail);

        // The home page lists recently seen users; the crawler picks the users due next.
        builder.HasIndex(u => u.LastSeen);
        builder.HasIndex(u => u.NextCrawl);
        builder.HasIndex(u => u.DisplayName);
        // The /api/users feed pages by (UpdatedAt, UserId).
        builder.HasIndex(u => new { u.UpdatedAt, u.UserId });

        builder.HasMany(u => u.Repositories)
            .WithOne(r => r.User)
            .HasForeignKey(r => r.UserId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}
