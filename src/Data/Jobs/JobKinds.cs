namespace GitTorrent.Data.Jobs;

/// <summary>The kinds of background work claimed through leases (the <c>Kind</c> column of <c>jobs</c>).</summary>
public static class JobKinds
{
    /// <summary>One mirror's <c>git fetch</c> from its origin; key = the mirror's id; any replica.</summary>
    public const string MirrorSync = "mirror-sync";

    /// <summary>One user's profile from the DHT; key = the 40-hex user id; claimed in batches by any replica.</summary>
    public const string ProfileCrawl = "profile-crawl";

    /// <summary>
    /// One repository into one replica's own store from the swarm (its siblings are seeders); key =
    /// <c>replica:userId/name</c>, scoped to that replica.
    /// </summary>
    public const string SwarmFetch = "swarm-fetch";

    /// <summary>One step of the Bitcoin chain follower (apply up to 1,000 blocks); key = <c>main</c>; any replica.</summary>
    public const string ChainFollower = "chain-follower";

    /// <summary>
    /// Whether a mirror's origin still answers and whether its refs equal what the portal publishes; key = the mirror's
    /// id; any replica (the portal's <c>OriginCheckService</c>).
    /// </summary>
    public const string OriginCheck = "origin-check";

    /// <summary>
    /// Reading one followed portal's <c>/api/users</c> feed from the kept cursor; key = the portal's base URL
    /// (<c>GitTorrent:Peers</c>); any replica (the indexer's <c>PeerFeedFollower</c>).
    /// </summary>
    public const string PeerFeed = "peer-feed";
}
