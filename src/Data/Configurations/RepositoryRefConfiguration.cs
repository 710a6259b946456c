using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class RepositoryRefConfiguration : IEntityTypeConfiguration<RepositoryRef>
{
    public void Configure(EntityTypeBuilder<RepositoryRef> builder)
    {
        builder.ToTable("refs");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Name).HasMaxLength(DataLimits.MaxRefName);
        builder.Property(f => f.Target).HasMaxLength(DataLimits.Sha1Hex);

        builder.HasIndex(f => new { f.RepositoryId, f.Name }).IsUnique();
        // "which repositories have this commit as a tip" (clone by commit id).
        builder.HasIndex(f => f.Target);
    }
}
