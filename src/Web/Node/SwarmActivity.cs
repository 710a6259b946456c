using System.Collections.Concurrent;

namespace GitTorrent.Web.Node;

/// <summary>
/// In-memory facts the background swarm services learn and pages read: fetch progress of repositories on their way
/// into the store, and seeders found per repository tip (with the time of the count).
/// </summary>
public sealed class SwarmActivity
{
    private readonly ConcurrentDictionary<(string UserId, string Repository), RepositoryFetchProgress> _fetches = new();
    private readonly ConcurrentDictionary<(string UserId, string Repository), (int Count, DateTimeOffset At)> _seeders = new();

    public void SetFetch(string userId, string repository, RepositoryFetchProgress? progress)
    {
        if (progress is null)
        {
            _fetches.TryRemove((userId, repository), out _);
        }
        else
        {
            _fetches[(userId, repository)] = progress;
        }
    }

    public RepositoryFetchProgress? GetFetch(string userId, string repository) =>
        _fetches.TryGetValue((userId, repository), out var progress) ? progress : null;

    public void SetSeeders(string userId, string repository, int seeders, DateTimeOffset at) => _seeders[(userId, repository)] = (seeders, at);

    public RepositorySwarmInfo GetSeeders(string userId, string repository) =>
        _seeders.TryGetValue((userId, repository), out var n) ? new RepositorySwarmInfo(n.Count, n.At) : RepositorySwarmInfo.Unknown;

    /// <summary>Bytes clients got from the swarm instead of an origin (pack bytes this portal uploaded).</summary>
    public long OriginBytesSaved { get; set; }
}
