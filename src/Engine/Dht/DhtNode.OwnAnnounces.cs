using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Dht.Storage;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// What this node announces itself is in its own get_peers answers. A node that is the only DHT node of a private
/// network (clients bootstrap from it, as inside a company) has nobody else to store its announces: without this, a
/// client finds the profile it put but no peer for the commits it serves.
/// </summary>
public sealed partial class DhtNode
{
    /// <summary>Route lookups remembered (the address of ours a querier reaches); cleared when full.</summary>
    private const int MaxRememberedRoutes = 256;

    /// <summary>Infohashes this node announced, with the port and when the announce lapses (as a stored peer would).</summary>
    private readonly Dictionary<Hash20, (int Port, long Expires)> _ownAnnounces = [];
    private readonly Dictionary<IPAddress, IPAddress> _routes = [];

    /// <summary>Records an announce of ours (node loop). Port 0 (implied) means our UDP port.</summary>
    private void RememberOwnAnnounce(Hash20 infoHash, int port) =>
        _ownAnnounces[infoHash] = (port == 0 ? LocalEndPoint.Port : port, NowMs + PeerStore.LifetimeMs);

    /// <summary>Our own peer entry for <paramref name="infoHash"/> as <paramref name="querier"/> reaches us, if we announced it.</summary>
    private IPEndPoint? OwnPeer(Hash20 infoHash, IPAddress querier, long now)
    {
        if (!_ownAnnounces.TryGetValue(infoHash, out var own))
        {
            return null;
        }
        if (own.Expires <= now)
        {
            _ownAnnounces.Remove(infoHash);
            return null;
        }
        return LocalAddressToward(querier) is { } address ? new IPEndPoint(address, own.Port) : null;
    }

    /// <summary>
    /// Our address as <paramref name="querier"/> sees it: the bound address, or else the source address the system
    /// routes to the querier with (a connected UDP socket sends nothing), which is the one its packets came to.
    /// </summary>
    private IPAddress? LocalAddressToward(IPAddress querier)
    {
        var bound = LocalEndPoint.Address;
        if (!bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return bound;
        }
        if (_routes.TryGetValue(querier, out var known))
        {
            return known;
        }
        try
        {
            using var probe = new Socket(querier.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(querier, 9));
            var address = ((IPEndPoint)probe.LocalEndPoint!).Address;
            if (_routes.Count >= MaxRememberedRoutes)
            {
                _routes.Clear();
            }
            return _routes[querier] = address;
        }
        catch (SocketException)
        {
            return null; // no route to the querier: it cannot reach us either
        }
    }

    /// <summary>Forgets announces of ours that lapsed (the periodic sweep, beside the stores').</summary>
    private void RemoveExpiredOwnAnnounces(long now)
    {
        foreach (var (infoHash, own) in _ownAnnounces)
        {
            if (own.Expires <= now)
            {
                _ownAnnounces.Remove(infoHash);
            }
        }
    }
}
