using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Kind).HasMaxLength(DataLimits.MaxJobKind);
        builder.Property(j => j.Key).HasMaxLength(DataLimits.MaxJobKey);
        builder.Property(j => j.Replica).HasMaxLength(DataLimits.MaxJobHolder);
        builder.Property(j => j.LeaseHolder).HasMaxLength(DataLimits.MaxJobHolder);
        builder.Property(j => j.LastError).HasMaxLength(DataLimits.MaxJobError);
        builder.HasIndex(j => new { j.Kind, j.Key }).IsUnique();
        // The claim query: due jobs of one kind, oldest first.
        builder.HasIndex(j => new { j.Kind, j.DueAt });
    }
}
