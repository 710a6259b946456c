using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class TrafficSampleConfiguration : IEntityTypeConfiguration<TrafficSample>
{
    public void Configure(EntityTypeBuilder<TrafficSample> builder)
    {
        builder.ToTable("traffic_samples");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.UserId).HasMaxLength(DataLimits.Sha1Hex);
        builder.Property(s => s.Repository).HasMaxLength(DataLimits.MaxRepositoryName);
        builder.HasIndex(s => s.At);
    }
}
