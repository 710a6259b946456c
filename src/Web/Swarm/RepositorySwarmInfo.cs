namespace GitTorrent.Web.Swarm;

/// <summary>Swarm facts about one repository; null = unknown (the provenance panel says so).</summary>
/// <param name="Seeders">Peers known to seed its tip (get_peers on the tip commit).</param>
/// <param name="OriginAgrees">For mirrors and host-form repositories: whether the origin's tips equal ours.</param>
public sealed record RepositorySwarmInfo(int? Seeders, bool? OriginAgrees)
{
    public static RepositorySwarmInfo Unknown { get; } = new(null, null);
}
