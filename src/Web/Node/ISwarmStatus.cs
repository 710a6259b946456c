namespace GitTorrent.Web.Node;

/// <summary>
/// What the portal's swarm node knows, read by pages and <c>/api/swarm</c>. The engine integrator replaces
/// <see cref="NullSwarmStatus"/> with the real node (<c>services.AddSingleton&lt;ISwarmStatus, ...&gt;()</c> after
/// <c>AddGitTorrentPortal</c>) and calls <see cref="PortalNotifications.PublishSwarmChanged"/> when the numbers move.
/// Every member must answer from memory: pages call them on every request and nothing may touch the network.
/// </summary>
public interface ISwarmStatus
{
    /// <summary>True once the DHT node is up; false while the engine is absent or starting.</summary>
    bool IsRunning { get; }

    /// <summary>Totals for the swarm view, the home page and <c>/api/swarm</c>.</summary>
    SwarmSnapshot GetSnapshot();

    /// <summary>Swarm facts about one repository for its provenance panel; null fields mean "unknown".</summary>
    RepositorySwarmInfo GetRepository(string userId, string repository);

    /// <summary>Progress of a repository that is listed but not yet in the store, or null if no fetch is known.</summary>
    RepositoryFetchProgress? GetFetchProgress(string userId, string repository);
}
