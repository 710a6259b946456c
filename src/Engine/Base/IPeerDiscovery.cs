using System.Net;

namespace GitTorrent.Engine.Base;

/// <summary>
/// Where the wire engine finds peers for an infohash and tells the world it has one. The DHT
/// implements it (get_peers / announce_peer, BEP 5); tests and "peers added by address" feed it by hand.
/// </summary>
public interface IPeerDiscovery
{
    /// <summary>Peers found for <paramref name="infoHash"/>, streamed as they arrive; ends when the lookup ends.</summary>
    IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash, CancellationToken cancellationToken);

    /// <summary>Announces that this node serves <paramref name="infoHash"/> on TCP <paramref name="port"/>.</summary>
    Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken);
}
