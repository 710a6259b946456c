using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class PortalAdminConfiguration : IEntityTypeConfiguration<PortalAdmin>
{
    public void Configure(EntityTypeBuilder<PortalAdmin> builder)
    {
        builder.ToTable("portal_admins");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.UserName).HasMaxLength(DataLimits.MaxUserName);
        builder.Property(a => a.PasswordHash).HasMaxLength(512);
        builder.Property(a => a.SecurityStamp).HasMaxLength(64).HasDefaultValue(string.Empty);
        builder.HasIndex(a => a.UserName).IsUnique();
    }
}
