using GitTorrent.Data;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Node;
using GitTorrent.Web.Traffic;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Provenance;

/// <summary>Reads one repository's provenance: its origin and last comparison, its seeder count and its traffic totals.</summary>
public sealed class ProvenanceReader(IDbContextFactory<GitTorrentDbContext> factory, PortalIdentity identity, ISwarmStatus swarm)
{
    public async Task<RepositoryProvenance> ReadAsync(string userId, string repository, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var origin = userId == identity.UserId
            ? await db.Mirrors.AsNoTracking().Where(m => m.Name == repository).Select(m => m.OriginUrl).SingleOrDefaultAsync(cancellationToken)
            : null;
        var check = await db.OriginChecks.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId && c.Repository == repository, cancellationToken);
        var traffic = await db.RepositoryTraffic.AsNoTracking().Where(t => t.UserId == userId && t.Repository == repository)
            .Select(t => new TrafficCounts(t.SwarmBytes, t.HttpBytes, t.OriginBytes)).SingleOrDefaultAsync(cancellationToken);
        var info = swarm.GetRepository(userId, repository);
        return new RepositoryProvenance(origin, check, info.Seeders, info.SeedersCheckedAt, traffic ?? TrafficCounts.Zero);
    }
}
