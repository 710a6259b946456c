namespace GitTorrent.Web.Node;

/// <summary>Swarm facts about one repository; null = unknown (the provenance panel says so).</summary>
/// <param name="Seeders">Peers known to seed its tip (get_peers on the tip commit).</param>
/// <param name="SeedersCheckedAt">When <paramref name="Seeders"/> was counted.</param>
public sealed record RepositorySwarmInfo(int? Seeders, DateTimeOffset? SeedersCheckedAt)
{
    public static RepositorySwarmInfo Unknown { get; } = new(null, null);
}
