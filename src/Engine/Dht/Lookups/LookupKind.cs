namespace GitTorrent.Engine.Dht.Lookups;

internal enum LookupKind
{
    /// <summary>BEP 5 find_node: bootstrap and bucket refresh.</summary>
    FindNode,

    /// <summary>BEP 5 get_peers: peers and announce tokens.</summary>
    GetPeers,

    /// <summary>BEP 44 get: items and put tokens.</summary>
    GetItem,
}
