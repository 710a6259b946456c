using System.Collections.Concurrent;

namespace GitTorrent.Web.Swarm;

/// <summary>
/// In-memory facts the background swarm services learn and pages read: fetch progress of repositories on their way
/// into the store, seeders found per repository tip, and whether a mirror's origin agreed at its last sync.
/// </summary>
public sealed class SwarmActivity
{
    private readonly ConcurrentDictionary<(string UserId, string Repository), RepositoryFetchProgress> _fetches = new();
    private readonly ConcurrentDictionary<(string UserId, string Repository), int> _seeders = new();
    private readonly ConcurrentDictionary<(string UserId, string Repository), bool> _originAgrees = new();

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

    public void SetSeeders(string userId, string repository, int seeders) => _seeders[(userId, repository)] = seeders;

    public int? GetSeeders(string userId, string repository) => _seeders.TryGetValue((userId, repository), out var n) ? n : null;

    public void SetOriginAgrees(string userId, string repository, bool agrees) => _originAgrees[(userId, repository)] = agrees;

    public bool? GetOriginAgrees(string userId, string repository) =>
        _originAgrees.TryGetValue((userId, repository), out var agrees) ? agrees : null;

    /// <summary>Bytes clients got from the swarm instead of an origin (pack bytes this portal uploaded).</summary>
    public long OriginBytesSaved { get; set; }
}
