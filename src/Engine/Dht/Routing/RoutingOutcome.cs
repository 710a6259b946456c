namespace GitTorrent.Engine.Dht.Routing;

/// <summary>What <see cref="RoutingTable.Observe"/> did with a node.</summary>
internal enum RoutingOutcome
{
    Ignored,
    Updated,
    Added,
    /// <summary>The bucket was full of good nodes; the node waits in the replacement cache.</summary>
    Cached,
}
