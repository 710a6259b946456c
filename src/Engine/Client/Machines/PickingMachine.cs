using System.Buffers;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Torrents.Picking;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// What to download from whom, as a sans-IO machine over a <see cref="PiecePicker"/> (rarest first, end game). Events
/// come in (a peer connected with its bitfield or left, announced a piece or a new bitfield, choked or unchoked us,
/// sent a block; a piece verified or failed; the clock moved); commands go out to <see cref="TryTake"/>: interested,
/// not interested, request and cancel. It keeps every unchoked peer's pipeline full (deeper for fast peers, one block
/// for a snubbed one, never beyond the peer's <c>reqq</c>), asks only for pieces a peer announced, cancels the copies
/// still requested elsewhere when an end-game block arrives, and takes back the requests of a peer that chokes us,
/// goes silent past the snub timeout or leaves. The driver owns sockets, the clock, hashing and bans.
/// </summary>
public sealed class PickingMachine<TPeer> where TPeer : notnull
{
    /// <summary>Smallest top-up of a deep pipeline, so requests go out in batches rather than one per block.</summary>
    public const int RequestBatch = 8;

    private readonly Dictionary<TPeer, PickingPeer> _peers = [];
    private readonly Queue<SwarmCommand<TPeer>> _outbox = new();
    private readonly List<BlockRequest> _scratch = [];
    private readonly PickingOptions _options;
    private bool _gateOpen = true;
    private int _waitForPeers;

    /// <summary>The latest time an event brought (ticks come every second or so).</summary>
    private TimeSpan _now;

    public PickingMachine(PiecePicker picker, PickingOptions options)
    {
        Picker = picker;
        _options = options;
    }

    /// <summary>The picker; web seeds pick from it directly (they are not peers of the wire).</summary>
    public PiecePicker Picker { get; }

    public bool IsComplete => Picker.Have.All;

    public bool IsEndGame => Picker.IsEndGame;

    public int PeerCount => _peers.Count;

    public bool IsInterestedIn(TPeer peer) => _peers.TryGetValue(peer, out var state) && state.AmInterested;

    public int OutstandingCount(TPeer peer) => _peers.TryGetValue(peer, out var state) ? state.Outstanding.Count : 0;

    public bool IsSnubbed(TPeer peer) => _peers.TryGetValue(peer, out var state) && state.Snubbed;

    /// <summary>A peer whose pieces are known (its bitfield, or an empty one): counted in availability.</summary>
    public void PeerConnected(TPeer peer, Bitfield has, TimeSpan now)
    {
        if (_peers.ContainsKey(peer))
        {
            return;
        }
        _now = Max(_now, now);
        _peers.Add(peer, new PickingPeer(has, now));
        Picker.AddAvailability(has);
        UpdateInterest(peer, _peers[peer]);
        Fill(peer, _peers[peer]);
    }

    /// <summary>
    /// The peer left: its pieces no longer count, its requests and reserved pieces go to the others, and commands for
    /// it not yet taken are dropped.
    /// </summary>
    public void PeerDisconnected(TPeer peer)
    {
        if (!_peers.Remove(peer, out var state))
        {
            return;
        }
        SwarmOutbox.Forget(_outbox, peer);
        Picker.RemoveAvailability(state.Has);
        foreach (var request in state.Outstanding)
        {
            Picker.OnRequestDropped(request);
        }
        state.Outstanding.Clear();
        Picker.ReleaseOwner(peer);
        FillAll();
    }

    /// <summary>The peer announced <paramref name="piece"/> (the driver already set it in the peer's bitfield).</summary>
    public void PeerHas(TPeer peer, int piece)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        Picker.AddAvailability(piece);
        if (!state.AmInterested && !Picker.Have[piece])
        {
            SetInterested(peer, state, true);
        }
        Fill(peer, state);
    }

    /// <summary>The peer sent a (new) bitfield.</summary>
    public void PeerBitfield(TPeer peer, Bitfield has)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        Picker.RemoveAvailability(state.Has);
        Picker.AddAvailability(has);
        state.Has = has;
        UpdateInterest(peer, state);
        Fill(peer, state);
    }

    /// <summary>The peer choked us: its requests are void (their data may still come) and go to the others.</summary>
    public void PeerChoked(TPeer peer)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.PeerChoking = true;
            Drop(peer, state, sendCancel: false);
        }
    }

    public void PeerUnchoked(TPeer peer)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.PeerChoking = false;
            Fill(peer, state);
        }
    }

    /// <summary>The peer's <c>reqq</c> (BEP 10 handshake).</summary>
    public void PeerMaxRequests(TPeer peer, int maxRequests)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.MaxRequests = Math.Max(1, maxRequests);
        }
    }

    /// <summary>The payload rate the driver measured for the peer (bytes per second): fast peers get deeper pipelines.</summary>
    public void PeerRate(TPeer peer, long bytesPerSecond)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.Rate = bytesPerSecond;
        }
    }

    /// <summary>
    /// A block arrived. <see cref="BlockResult.Unsolicited"/>: we had not asked the peer for it (the driver decides
    /// what that costs). A completed piece leaves the picker in <paramref name="completed"/> for the driver to hash.
    /// </summary>
    public BlockResult BlockReceived(TPeer peer, int piece, int begin, ReadOnlySequence<byte> data, TimeSpan now,
        out PartialPiece? completed)
    {
        completed = null;
        _now = Max(_now, now);
        if (!_peers.TryGetValue(peer, out var state))
        {
            return BlockResult.Unsolicited;
        }
        var result = Picker.OnBlock(peer, state.Outstanding, piece, begin, data, out completed);
        if (result != BlockResult.Unsolicited)
        {
            state.LastBlockAt = now;
            state.Snubbed = false;
            if (Picker.IsEndGame && result is BlockResult.Stored or BlockResult.PieceComplete)
            {
                CancelElsewhere(peer, new BlockRequest(piece, begin, (int)data.Length));
            }
        }
        Fill(peer, state);
        return result;
    }

    /// <summary>A completed piece failed its hash: it is picked again, from one peer only.</summary>
    public void PieceFailed(int piece)
    {
        Picker.OnPieceFailed(piece);
        FillAll();
    }

    /// <summary>A completed piece is verified and stored. When it was the last, we are interested in nobody.</summary>
    public void PieceVerified(int piece)
    {
        Picker.OnPieceWritten(piece);
        if (!Picker.Have.All)
        {
            return;
        }
        foreach (var (peer, state) in _peers)
        {
            SetInterested(peer, state, false);
        }
    }

    /// <summary>
    /// The file is read in order while it downloads (a pack streamed into <c>git index-pack</c>) from
    /// <paramref name="piece"/> on: new pieces inside <see cref="PickingOptions.StreamWindowBytes"/> of the first one
    /// still missing are started in file order, the rest rarest first. The front follows the verified pieces.
    /// </summary>
    public void StreamFront(int piece)
    {
        Picker.StreamFrom(piece, _options.StreamWindowBytes);
        FillAll();
    }

    /// <summary>
    /// Holds back requests until <paramref name="peers"/> peers have unchoked us (or <see cref="OpenGate"/>), so that
    /// on a fast link the first peer to answer does not take every block before the others connect.
    /// </summary>
    public void HoldRequests(int peers)
    {
        if (peers > 1)
        {
            _waitForPeers = peers;
            _gateOpen = false;
        }
    }

    /// <summary>Lets every ready peer request blocks.</summary>
    public void OpenGate()
    {
        if (_gateOpen)
        {
            return;
        }
        _gateOpen = true;
        FillAll();
    }

    /// <summary>The clock moved: a peer with requests out and no block for the snub timeout keeps one request only.</summary>
    public void Tick(TimeSpan now)
    {
        _now = Max(_now, now);
        foreach (var (peer, state) in _peers)
        {
            if (!state.Snubbed && state.Outstanding.Count > 0 && now - state.LastBlockAt > _options.SnubTimeout)
            {
                state.Snubbed = true;
                Drop(peer, state, sendCancel: true);
                Fill(peer, state);
            }
        }
    }

    /// <summary>Re-decides interest and requests for every peer (after the driver learned something outside the events).</summary>
    public void Refresh()
    {
        foreach (var (peer, state) in _peers)
        {
            UpdateInterest(peer, state);
        }
        FillAll();
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out SwarmCommand<TPeer> command) => _outbox.TryDequeue(out command);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void FillAll()
    {
        foreach (var (peer, state) in _peers)
        {
            Fill(peer, state);
        }
    }

    private void Fill(TPeer peer, PickingPeer state)
    {
        if (state.PeerChoking || !state.AmInterested)
        {
            return;
        }
        if (!_gateOpen)
        {
            if (_peers.Values.Count(p => !p.PeerChoking && p.AmInterested) < _waitForPeers)
            {
                return;
            }
            OpenGate();
            return;
        }
        var depth = state.Snubbed ? 1 : Math.Min(DepthFor(state), state.MaxRequests);
        var want = depth - state.Outstanding.Count;
        if (want <= 0 || (depth >= 4 * RequestBatch && want < RequestBatch && state.Outstanding.Count > 0))
        {
            return;
        }
        _scratch.Clear();
        Picker.Pick(peer, state.Has, state.Outstanding, want, _scratch);
        foreach (var request in _scratch)
        {
            _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Request, peer, request));
        }
        if (_scratch.Count > 0 && state.Outstanding.Count == _scratch.Count)
        {
            // The first requests after an idle spell: the snub clock starts now, not at the last block.
            state.LastBlockAt = _now;
        }
    }

    /// <summary>The configured depth, or more for a fast peer: its rate times the request queue time.</summary>
    private int DepthFor(PickingPeer state)
    {
        var byRate = (long)(state.Rate * _options.RequestQueueTime.TotalSeconds / WireLimits.BlockSize);
        return (int)Math.Clamp(byRate, _options.PipelineDepth, Math.Max(_options.PipelineDepth, _options.MaxPipelineDepth));
    }

    private void Drop(TPeer peer, PickingPeer state, bool sendCancel)
    {
        foreach (var request in state.Outstanding)
        {
            Picker.OnRequestDropped(request);
            if (sendCancel)
            {
                _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Cancel, peer, request));
            }
        }
        state.Outstanding.Clear();
        foreach (var (other, otherState) in _peers)
        {
            if (!EqualityComparer<TPeer>.Default.Equals(other, peer))
            {
                Fill(other, otherState);
            }
        }
    }

    private void CancelElsewhere(TPeer receivedFrom, BlockRequest block)
    {
        foreach (var (other, state) in _peers)
        {
            if (!EqualityComparer<TPeer>.Default.Equals(other, receivedFrom) && state.Outstanding.Remove(block))
            {
                Picker.OnRequestDropped(block);
                _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Cancel, other, block));
            }
        }
    }

    private void UpdateInterest(TPeer peer, PickingPeer state) =>
        SetInterested(peer, state, !Picker.Have.All && Picker.IsInteresting(state.Has));

    private void SetInterested(TPeer peer, PickingPeer state, bool interested)
    {
        if (state.AmInterested == interested)
        {
            return;
        }
        state.AmInterested = interested;
        _outbox.Enqueue(new SwarmCommand<TPeer>(interested ? SwarmCommandKind.Interested : SwarmCommandKind.NotInterested, peer));
    }
}
