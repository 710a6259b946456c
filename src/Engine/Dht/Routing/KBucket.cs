namespace GitTorrent.Engine.Dht.Routing;

/// <summary>A k-bucket: at most K live entries plus at most K replacement candidates (BEP 5).</summary>
internal sealed class KBucket(long now)
{
    public List<RoutingEntry> Nodes { get; } = [];

    /// <summary>Nodes waiting for a slot, most recently seen last.</summary>
    public List<RoutingEntry> Replacements { get; } = [];

    /// <summary>When a node in the bucket was last added, refreshed or replaced.</summary>
    public long LastChanged { get; set; } = now;

    public RoutingEntry? Find(Hash20 id)
    {
        foreach (var node in Nodes)
        {
            if (node.Id == id)
            {
                return node;
            }
        }
        return null;
    }
}
