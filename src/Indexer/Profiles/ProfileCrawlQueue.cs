using System.Collections.Concurrent;
using GitTorrent.Engine;

namespace GitTorrent.Indexer.Profiles;

/// <summary>
/// User ids to crawl that the database does not know yet: added on the portal, the portal's own identity, ids
/// seen elsewhere. The crawler also takes every user and every registered keyhash from the database.
/// </summary>
public sealed class ProfileCrawlQueue
{
    private readonly ConcurrentDictionary<Hash20, byte> _ids = new();

    public void Add(Hash20 userId) => _ids.TryAdd(userId, 0);

    public IReadOnlyCollection<Hash20> Snapshot() => [.. _ids.Keys];
}
