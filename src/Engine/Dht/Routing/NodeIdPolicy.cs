using System.Net;

namespace GitTorrent.Engine.Dht.Routing;

/// <summary>
/// BEP 42 for routing-table entries: when enforced, a node's id must be derived from its address
/// (<see cref="NodeIdGenerator.IsValid"/>). Local addresses are exempt, as BEP 42 says, unless
/// <see cref="IncludeLocal"/> (tests exercise enforcement on loopback that way).
/// </summary>
internal sealed record NodeIdPolicy(bool Enforce, bool IncludeLocal)
{
    public static readonly NodeIdPolicy Off = new(false, false);

    public bool Accepts(Hash20 id, IPAddress address)
    {
        if (!Enforce || (!IncludeLocal && NodeIdGenerator.IsExempt(address)))
        {
            return true;
        }
        return NodeIdGenerator.IsValid(id, address);
    }
}
