using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitTorrent.Data.Configurations;

internal sealed class PeerFeedConfiguration : IEntityTypeConfiguration<PeerFeed>
{
    public void Configure(EntityTypeBuilder<PeerFeed> builder)
    {
        builder.ToTable("peer_feeds");
        builder.HasKey(f => f.BaseUrl);
        builder.Property(f => f.BaseUrl).HasMaxLength(DataLimits.MaxPeerUrl);
        builder.Property(f => f.Cursor).HasMaxLength(DataLimits.MaxFeedCursor);
        builder.Property(f => f.LastError).HasMaxLength(DataLimits.MaxJobError);
    }
}
