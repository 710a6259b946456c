namespace GitTorrent.Indexer.Discovery;

/// <summary>Where a user id came from (the <c>source</c> label of the discovery counters).</summary>
public enum DiscoverySource
{
    /// <summary>A BEP 44 put that reached our DHT node (its <c>k</c>).</summary>
    Put,

    /// <summary>Another portal's <c>/api/users</c> feed (<c>GitTorrent:Peers</c>).</summary>
    Feed,

    /// <summary>Asked for on this portal (<c>POST /api/users</c>, the search page's form).</summary>
    Request,

    /// <summary>A target in another DHT node's <c>sample_items</c> answer (<see cref="SampleDiscovery"/>).</summary>
    Sample,
}
