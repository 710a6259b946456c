using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Kind).HasMaxLength(DataLimits.MaxJobKind);
        builder.Property(r => r.Key).HasMaxLength(DataLimits.MaxJobKey);
        builder.Property(r => r.Holder).HasMaxLength(DataLimits.MaxJobHolder);
        builder.Property(r => r.Error).HasMaxLength(DataLimits.MaxJobError);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.JobId, r.FinishedAt });
        builder.HasIndex(r => r.StartedAt);
        builder.HasOne<Job>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
