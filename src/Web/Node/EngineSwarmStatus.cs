using GitTorrent.Indexer.Node;

namespace GitTorrent.Web.Node;

/// <summary><see cref="ISwarmStatus"/> from the portal's running GitTorrent node; answers from memory only.</summary>
public sealed class EngineSwarmStatus(NodeHost host, SwarmActivity activity) : ISwarmStatus
{
    public bool IsRunning => host.Current is not null;

    public SwarmSnapshot GetSnapshot()
    {
        if (host.Current is not { } node)
        {
            return SwarmSnapshot.Empty;
        }
        var stats = node.GetStatistics();
        var dht = node.Dht.Statistics;
        var packs = stats.Packs.Select(p => new SeededPackInfo(p.InfoHash, p.Commit, p.Size, p.Uploaded)).ToList();
        return new SwarmSnapshot(stats.Uploaded, stats.Downloaded, stats.Peers, node.Dht.RoutingTableSize,
            dht.EstimatedDhtSize, packs.Sum(p => p.Uploaded), packs);
    }

    public RepositorySwarmInfo GetRepository(string userId, string repository) => activity.GetSeeders(userId, repository);

    public RepositoryFetchProgress? GetFetchProgress(string userId, string repository) => activity.GetFetch(userId, repository);
}
