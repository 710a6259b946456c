namespace GitTorrent.Engine.Dht.Routing;

/// <summary>What <see cref="RoutingTable.Observe"/> did with a node.</summary>
internal enum RoutingOutcome
{
    Ignored,
    /// <summary>The node's id does not fit its address (BEP 42) and the table enforces that.</summary>
    Rejected,
    Updated,
    Added,
    /// <summary>The bucket was full of good nodes; the node waits in the replacement cache.</summary>
    Cached,
}
