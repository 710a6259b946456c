using GitTorrent.Data.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Data;

/// <summary>
/// The model shared by the portal and the indexer. It is abstract because each database provider has its own
/// sealed subclass (<see cref="PostgresDbContext"/>, <see cref="SqliteDbContext"/>) and its own migration set:
/// EF Core ties a migration to one context type through <c>[DbContext(typeof(...))]</c>, so two context types in
/// one assembly is the documented way ("Migrations with multiple providers", option "separate DbContext types")
/// to keep both sets side by side under <c>Migrations/Postgres</c> and <c>Migrations/Sqlite</c>.
/// Consumers only see this type through <see cref="IDbContextFactory{TContext}"/>.
/// Timestamps are <see cref="DateTimeOffset"/> in UTC (offset zero): PostgreSQL's timestamptz mapping rejects others.
/// </summary>
public abstract class GitTorrentDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();

    public DbSet<Repository> Repositories => Set<Repository>();

    public DbSet<RepositoryRef> Refs => Set<RepositoryRef>();

    public DbSet<NameRegistration> NameRegistrations => Set<NameRegistration>();

    public DbSet<ChainState> ChainStates => Set<ChainState>();

    public DbSet<ProcessedBlock> ProcessedBlocks => Set<ProcessedBlock>();

    public DbSet<Mirror> Mirrors => Set<Mirror>();

    public DbSet<SeededPack> SeededPacks => Set<SeededPack>();

    public DbSet<PortalAdmin> PortalAdmins => Set<PortalAdmin>();

    public DbSet<AdminSignInFailure> AdminSignInFailures => Set<AdminSignInFailure>();

    /// <summary>Background work shared by the replicas, claimed through leases.</summary>
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobRun> JobRuns => Set<JobRun>();

    /// <summary>The portal's own key and profile seq, one row shared by every replica.</summary>
    public DbSet<PortalKey> PortalKeys => Set<PortalKey>();

    /// <summary>ASP.NET Core Data Protection keys (<c>PersistKeysToDbContext</c>), shared by every replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The last origin comparison per repository (provenance).</summary>
    public DbSet<OriginCheck> OriginChecks => Set<OriginCheck>();

    /// <summary>Bytes served and fetched per repository, totals since first counted.</summary>
    public DbSet<RepositoryTraffic> RepositoryTraffic => Set<RepositoryTraffic>();

    /// <summary>Bytes per repository per sample period, kept for a bounded time (the swarm page's chart).</summary>
    public DbSet<TrafficSample> TrafficSamples => Set<TrafficSample>();

    /// <summary>Per followed portal: where its <c>/api/users</c> feed was read up to.</summary>
    public DbSet<PeerFeed> PeerFeeds => Set<PeerFeed>();

    /// <summary>Which provider this context talks to.</summary>
    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GitTorrentDbContext).Assembly);
    }
}
