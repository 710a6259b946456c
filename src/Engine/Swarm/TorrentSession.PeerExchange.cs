using System.Net;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Peer exchange (BEP 11, ut_pex). Each peer that speaks it is told the listen endpoints of the torrent's other
/// peers: the full list as soon as there is something to tell (right after its extension handshake, or when the
/// first other peer arrives), then only the changes, at most once a minute (libtorrent drops peers that send more
/// often). A downloading torrent dials the peers it learns, within the connection limit; a seed ignores them.
/// </summary>
internal sealed partial class TorrentSession : IPexHost
{
    /// <summary>Changes are sent to a peer at most this often (BEP 11).</summary>
    internal static readonly TimeSpan PexInterval = TimeSpan.FromMinutes(1);

    /// <summary>Peers listed in one message we send (libtorrent reads at most 50 or so added peers).</summary>
    private const int MaxPexPeersSent = 50;

    /// <summary>Connections being dialled at once because of ut_pex.</summary>
    private const int MaxPexDialsInFlight = 16;

    /// <summary>Endpoints remembered as already dialled from ut_pex (cleared when it grows past this).</summary>
    private const int MaxPexDialled = 4096;

    private readonly HashSet<IPEndPoint> _pexDialled = [];
    private readonly List<IPEndPoint> _pexBeforeMetadata = [];
    private int _pexDialsInFlight;

    /// <summary>Peer exchange is on and the torrent is not private (BEP 27; unknown while the metadata is missing).</summary>
    private bool PexEnabled => _engine.Options.PeerExchange && Metainfo is { IsPrivate: false };

    /// <summary>The remote's extension handshake arrived: learn its listen port, then tell it (and others) about peers.</summary>
    private void OnRemoteExtensionHandshake(PeerState peer, Bencoding.BDictionary handshake)
    {
        var connection = peer.Connection;
        if (!connection.IsOutbound && handshake.GetInteger("p") is { } port and > 0 and <= 65535)
        {
            connection.RemoteListenEndPoint = new IPEndPoint(connection.RemoteEndPoint.Address, (int)port);
        }
        if (!PexEnabled)
        {
            return;
        }
        lock (_gate)
        {
            // The newcomer gets the full list now; peers that were told nothing yet get their first list with it in.
            foreach (var other in _peers.Values)
            {
                if (other == peer || other.PexSentAt == 0)
                {
                    SendPex(other, _engine.TimeProvider.GetTimestamp());
                }
            }
        }
    }

    /// <summary>Sends <paramref name="peer"/> what changed since its last message, if anything and if allowed (lock held).</summary>
    private void SendPex(PeerState peer, long now)
    {
        var connection = peer.Connection;
        if (!PexEnabled || connection.IsClosed || !connection.RemoteExtensions.ContainsKey(UtPexExtension.ExtensionName)
            || (peer.PexSentAt != 0 && _engine.TimeProvider.GetElapsedTime(peer.PexSentAt, now) < PexInterval))
        {
            return;
        }
        var current = new Dictionary<IPEndPoint, byte>();
        foreach (var other in _peers.Values)
        {
            if (other != peer && !other.Connection.IsClosed && other.Connection.RemoteListenEndPoint is { } endPoint
                && !endPoint.Equals(connection.RemoteListenEndPoint))
            {
                current[endPoint] = (byte)((other.IsSeed ? PexPeer.SeedFlag : 0) | (other.Connection.IsOutbound ? PexPeer.ConnectableFlag : 0));
            }
        }
        var added = current.Where(c => !peer.PexAdvertised.Contains(c.Key)).Take(MaxPexPeersSent)
            .Select(c => new PexPeer(c.Key, c.Value)).ToList();
        var dropped = peer.PexAdvertised.Where(e => !current.ContainsKey(e)).Take(MaxPexPeersSent).ToList();
        if (added.Count == 0 && dropped.Count == 0)
        {
            return;
        }
        if (connection.SendExtended(UtPexExtension.ExtensionName, new PexMessage(added, dropped).Encode()))
        {
            peer.PexSentAt = now;
            foreach (var a in added)
            {
                peer.PexAdvertised.Add(a.EndPoint);
            }
            foreach (var d in dropped)
            {
                peer.PexAdvertised.Remove(d);
            }
        }
    }

    /// <summary>Once a second: changes to peers whose minute is up (lock held).</summary>
    private void PexTick(long now)
    {
        if (!PexEnabled)
        {
            return;
        }
        foreach (var peer in _peers.Values)
        {
            SendPex(peer, now);
        }
    }

    int IPexHost.OnPeersExchanged(PeerConnection connection, PexMessage message)
    {
        lock (_gate)
        {
            if (Metainfo is null && _engine.Options.PeerExchange && !_stop.IsCancellationRequested)
            {
                // A magnet download hears from the seeder before it has the info dictionary (which says whether the
                // torrent is private): keep the peers until then.
                var kept = 0;
                foreach (var peer in message.Added)
                {
                    if (_pexBeforeMetadata.Count < PexMessage.MaxPeersPerMessage)
                    {
                        _pexBeforeMetadata.Add(peer.EndPoint);
                        kept++;
                    }
                }
                return message.Added.Count - kept;
            }
        }
        return DialExchanged(message.Added.Select(p => p.EndPoint), connection.RemoteEndPoint);
    }

    /// <summary>The metadata arrived: dial the peers heard of before it, unless the torrent is private.</summary>
    private void DialPeersHeardBeforeMetadata()
    {
        List<IPEndPoint> heard;
        lock (_gate)
        {
            heard = [.. _pexBeforeMetadata];
            _pexBeforeMetadata.Clear();
        }
        if (heard.Count > 0)
        {
            var ignored = DialExchanged(heard, null);
            if (_engine.Extensions.Find<UtPexExtension>() is { } pex)
            {
                pex.CountIgnored(ignored);
            }
        }
    }

    /// <summary>Dials exchanged peers that are usable, new and within the limits; returns how many were not.</summary>
    private int DialExchanged(IEnumerable<IPEndPoint> peers, IPEndPoint? source)
    {
        var ignored = 0;
        var dial = new List<IPEndPoint>();
        lock (_gate)
        {
            var known = new HashSet<IPEndPoint>();
            foreach (var c in _peers.Keys)
            {
                known.Add(c.RemoteEndPoint);
                if (c.RemoteListenEndPoint is { } listen)
                {
                    known.Add(listen);
                }
            }
            foreach (var exchanged in peers)
            {
                var endPoint = exchanged.Address.IsIPv4MappedToIPv6
                    ? new IPEndPoint(exchanged.Address.MapToIPv4(), exchanged.Port) : exchanged;
                if (!PexEnabled || IsComplete || _stop.IsCancellationRequested || !IsDialable(endPoint.Address) || _engine.IsOwnEndPoint(endPoint)
                    || known.Contains(endPoint) || _pexDialled.Contains(endPoint)
                    || _peers.Count + _pexDialsInFlight + dial.Count >= _engine.Options.MaxConnectionsPerTorrent
                    || _pexDialsInFlight + dial.Count >= MaxPexDialsInFlight)
                {
                    ignored++;
                    continue;
                }
                if (_pexDialled.Count >= MaxPexDialled)
                {
                    _pexDialled.Clear();
                }
                _pexDialled.Add(endPoint);
                dial.Add(endPoint);
            }
            _pexDialsInFlight += dial.Count;
        }
        foreach (var endPoint in dial)
        {
            SwarmLog.PexDial(_logger, endPoint, InfoHash, source);
            _ = _engine.ConnectToPeerAsync(InfoHash, endPoint, _stop.Token).ContinueWith(t =>
            {
                _ = t.Exception;
                lock (_gate)
                {
                    _pexDialsInFlight--;
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        return ignored;
    }

    private static bool IsDialable(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.Equals(IPAddress.None) && !address.IsIPv6Multicast
        && !(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224);
}
