using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class AdminSignInFailureConfiguration : IEntityTypeConfiguration<AdminSignInFailure>
{
    public void Configure(EntityTypeBuilder<AdminSignInFailure> builder)
    {
        builder.ToTable("admin_sign_in_failures");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.UserName).HasMaxLength(DataLimits.MaxUserName);
        builder.Property(f => f.Address).HasMaxLength(64);
        builder.HasIndex(f => new { f.UserName, f.Address }).IsUnique();
        builder.HasIndex(f => f.LastFailure);
    }
}
