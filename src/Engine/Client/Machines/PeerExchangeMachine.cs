using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// Peer exchange (BEP 11, ut_pex) as a sans-IO machine. Each peer that speaks it is told the listen endpoints of the
/// torrent's other peers: the full list as soon as there is something to tell (right after its extension handshake,
/// or when the first other peer arrives), then only the changes, at most once per <see cref="Interval"/> (libtorrent
/// drops peers that send more often), at most <see cref="MaxPeersSent"/> added and as many dropped in one message.
/// A downloading torrent dials the peers it learns, within the connection limit and <see cref="MaxDialsInFlight"/>
/// dials at a time, never twice (the last <see cref="MaxDialled"/> endpoints are remembered); a seed, a private torrent
/// (BEP 27) and a node with peer exchange off ignore them. Before the metadata says whether the torrent is private,
/// up to <see cref="PexMessage.MaxPeersPerMessage"/> heard endpoints are kept for then.
/// Events: a peer connected, finished its extension handshake, sent a bitfield, left; peers were exchanged; a dial
/// ended; the metadata arrived; the clock moved. Commands (<see cref="PexCommand{TPeer}"/>): send a message, dial.
/// </summary>
public sealed class PeerExchangeMachine<TPeer> where TPeer : notnull
{
    /// <summary>Changes are sent to a peer at most this often (BEP 11).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Peers listed in one message we send, added and dropped each (libtorrent reads at most 50 or so added peers).</summary>
    public const int MaxPeersSent = 50;

    /// <summary>Connections being dialled at once because of ut_pex.</summary>
    public const int MaxDialsInFlight = 16;

    /// <summary>Endpoints remembered as already dialled from ut_pex (cleared when it grows past this).</summary>
    public const int MaxDialled = 4096;

    private readonly Dictionary<TPeer, PeerExchangePeer> _peers = [];
    private readonly Queue<PexCommand<TPeer>> _outbox = new();
    private readonly HashSet<IPEndPoint> _dialled = [];
    private readonly List<IPEndPoint> _heardBeforeMetadata = [];
    private readonly Func<IPEndPoint, bool> _isOwnEndPoint;
    private bool _metadataKnown;
    private bool _private;

    /// <param name="exchange">Peer exchange is on (<see cref="TorrentEngineOptions.PeerExchange"/>).</param>
    /// <param name="maxConnections">Connections of the torrent at most (<see cref="TorrentEngineOptions.MaxConnectionsPerTorrent"/>): dials count.</param>
    /// <param name="isOwnEndPoint">Whether an endpoint is our own listener (never dialled).</param>
    public PeerExchangeMachine(bool exchange, int maxConnections, Func<IPEndPoint, bool> isOwnEndPoint)
    {
        Exchange = exchange;
        MaxConnections = maxConnections;
        _isOwnEndPoint = isOwnEndPoint;
    }

    public bool Exchange { get; }

    public int MaxConnections { get; }

    /// <summary>Peers are exchanged: the option is on and the metadata says the torrent is not private.</summary>
    public bool Enabled => Exchange && _metadataKnown && !_private;

    public int PeerCount => _peers.Count;

    /// <summary>Dials started and not yet reported ended.</summary>
    public int DialsInFlight { get; private set; }

    /// <summary>What <paramref name="peer"/> has been told and not told dropped (empty for a peer the machine does not know).</summary>
    public IReadOnlyCollection<IPEndPoint> Advertised(TPeer peer) =>
        _peers.TryGetValue(peer, out var state) ? state.Advertised : [];

    /// <summary>The metadata is known (at once for a torrent added with it): whether the torrent is private (BEP 27).
    /// Dials what was heard before it; returns how many of those were ignored.</summary>
    public int MetadataKnown(bool isPrivate, bool seeding)
    {
        if (_metadataKnown)
        {
            return 0;
        }
        _metadataKnown = true;
        _private = isPrivate;
        List<IPEndPoint> heard = [.. _heardBeforeMetadata];
        _heardBeforeMetadata.Clear();
        return heard.Count == 0 ? 0 : Dial(heard, null, seeding);
    }

    /// <summary>A new connection (every one the torrent admits: all count against the connection limit).</summary>
    public void PeerConnected(TPeer peer, IPEndPoint remote, bool outbound)
    {
        _peers.TryAdd(peer, new PeerExchangePeer(remote, outbound) { Listen = outbound ? remote : null });
    }

    /// <summary>The peer's pieces are known or were replaced (the seed flag is read from them).</summary>
    public void PeerBitfield(TPeer peer, Bitfield? has)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.Has = has;
        }
    }

    /// <summary>
    /// The peer's extension handshake arrived: the listen endpoint it gave (an inbound peer's <c>p</c>) and whether it
    /// speaks ut_pex. It gets the full list now; peers that were told nothing yet get their first list with it in.
    /// </summary>
    public void PeerHandshake(TPeer peer, IPEndPoint? listen, bool supportsPex, TimeSpan now)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        state.Listen = listen ?? state.Listen;
        state.SupportsPex = supportsPex;
        if (!Enabled)
        {
            return;
        }
        foreach (var (other, otherState) in _peers)
        {
            if (otherState == state || otherState.SentAt is null)
            {
                Send(other, otherState, now);
            }
        }
    }

    /// <summary>The peer left: it is dropped from what the others are told next, and commands for it are forgotten.</summary>
    public void PeerDisconnected(TPeer peer)
    {
        if (_peers.Remove(peer))
        {
            SwarmOutbox.Forget(_outbox, command =>
                command.Kind == PexCommandKind.Send && EqualityComparer<TPeer>.Default.Equals(command.Peer, peer));
        }
    }

    /// <summary>The clock moved (about once a second): changes go to peers whose interval is up.</summary>
    public void Tick(TimeSpan now)
    {
        if (!Enabled)
        {
            return;
        }
        foreach (var (peer, state) in _peers)
        {
            Send(peer, state, now);
        }
    }

    /// <summary>
    /// <paramref name="source"/> told us of <paramref name="endPoints"/> (already capped at
    /// <see cref="PexMessage.MaxPeersPerMessage"/> by the decoder). Returns how many were ignored: kept for later
    /// before the metadata, dialled after it when usable, new and within the limits. <paramref name="seeding"/>: we
    /// have every piece (a seed dials nobody).
    /// </summary>
    public int PeersExchanged(TPeer source, IReadOnlyList<IPEndPoint> endPoints, bool seeding)
    {
        if (!_metadataKnown && Exchange)
        {
            // A magnet download hears from the seeder before it has the info dictionary (which says whether the
            // torrent is private): keep the peers until then.
            var kept = 0;
            foreach (var endPoint in endPoints)
            {
                if (_heardBeforeMetadata.Count < PexMessage.MaxPeersPerMessage)
                {
                    _heardBeforeMetadata.Add(endPoint);
                    kept++;
                }
            }
            return endPoints.Count - kept;
        }
        return Dial(endPoints, _peers.TryGetValue(source, out var state) ? state.Remote : null, seeding);
    }

    /// <summary>A dial this machine asked for ended (connected or not).</summary>
    public void DialEnded() => DialsInFlight = Math.Max(0, DialsInFlight - 1);

    /// <summary>The driver could not queue the message (the connection is closing or over its control budget): it
    /// counts as not sent.</summary>
    public void SendFailed(TPeer peer, PexMessage message)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        state.SentAt = state.SentBefore;
        foreach (var added in message.Added)
        {
            state.Advertised.Remove(added.EndPoint);
        }
        foreach (var dropped in message.Dropped)
        {
            state.Advertised.Add(dropped);
        }
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out PexCommand<TPeer> command) => _outbox.TryDequeue(out command);

    /// <summary>Tells the peer what changed since its last message, if anything and if its interval is up.</summary>
    private void Send(TPeer peer, PeerExchangePeer state, TimeSpan now)
    {
        if (!state.SupportsPex || (state.SentAt is { } sent && now - sent < Interval))
        {
            return;
        }
        var current = new Dictionary<IPEndPoint, byte>();
        foreach (var other in _peers.Values)
        {
            if (other != state && other.Listen is { } endPoint && !endPoint.Equals(state.Listen))
            {
                current[endPoint] = (byte)((other.Has is { All: true } ? PexPeer.SeedFlag : 0)
                    | (other.Outbound ? PexPeer.ConnectableFlag : 0));
            }
        }
        var added = current.Where(c => !state.Advertised.Contains(c.Key)).Take(MaxPeersSent)
            .Select(c => new PexPeer(c.Key, c.Value)).ToList();
        var dropped = state.Advertised.Where(e => !current.ContainsKey(e)).Take(MaxPeersSent).ToList();
        if (added.Count == 0 && dropped.Count == 0)
        {
            return;
        }
        state.SentBefore = state.SentAt;
        state.SentAt = now;
        foreach (var a in added)
        {
            state.Advertised.Add(a.EndPoint);
        }
        foreach (var d in dropped)
        {
            state.Advertised.Remove(d);
        }
        _outbox.Enqueue(new PexCommand<TPeer>(PexCommandKind.Send, peer, new PexMessage(added, dropped)));
    }

    /// <summary>Dials exchanged peers that are usable, new and within the limits; returns how many were not.</summary>
    private int Dial(IEnumerable<IPEndPoint> endPoints, IPEndPoint? source, bool seeding)
    {
        var ignored = 0;
        var known = new HashSet<IPEndPoint>();
        foreach (var state in _peers.Values)
        {
            known.Add(state.Remote);
            if (state.Listen is { } listen)
            {
                known.Add(listen);
            }
        }
        foreach (var exchanged in endPoints)
        {
            var endPoint = exchanged.Address.IsIPv4MappedToIPv6
                ? new IPEndPoint(exchanged.Address.MapToIPv4(), exchanged.Port) : exchanged;
            if (!Enabled || seeding || !IsDialable(endPoint.Address) || _isOwnEndPoint(endPoint)
                || known.Contains(endPoint) || _dialled.Contains(endPoint)
                || _peers.Count + DialsInFlight >= MaxConnections || DialsInFlight >= MaxDialsInFlight)
            {
                ignored++;
                continue;
            }
            if (_dialled.Count >= MaxDialled)
            {
                _dialled.Clear();
            }
            _dialled.Add(endPoint);
            DialsInFlight++;
            _outbox.Enqueue(new PexCommand<TPeer>(PexCommandKind.Dial, default!, EndPoint: endPoint, Source: source));
        }
        return ignored;
    }

    private static bool IsDialable(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.Equals(IPAddress.None) && !address.IsIPv6Multicast
        && !(address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224);
}
