using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class RepositoryTrafficConfiguration : IEntityTypeConfiguration<RepositoryTraffic>
{
    public void Configure(EntityTypeBuilder<RepositoryTraffic> builder)
    {
        builder.ToTable("repository_traffic");
        builder.HasKey(t => new { t.UserId, t.Repository });
        builder.Property(t => t.UserId).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(t => t.Repository).HasMaxLength(DataLimits.MaxRepositoryName);
    }
}
