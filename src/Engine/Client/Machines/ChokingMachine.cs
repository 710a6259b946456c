namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// Choking and optimistic unchoke as a sans-IO machine (BEP 3 practice, tit-for-tat). Events come in (a peer
/// connected or left, became interested, turned out to be a seed, moved bytes, a tick of the clock); commands go out
/// to <see cref="TryTake"/>: choke and unchoke. Every <see cref="ChokeInterval"/> the interested peers that are not
/// seeds are ranked by what they gave us in the round (while we download) or took from us (while we seed) and the best
/// <see cref="Slots"/> are unchoked (<see cref="Choker"/>); one more, the optimistic unchoke, is drawn among the rest
/// and rotates every <see cref="OptimisticInterval"/>, so newcomers get a chance to show their rate. A peer that
/// becomes interested while fewer than slots + 1 peers are unchoked is unchoked at once rather than at the next round.
/// The driver owns the sockets and the clock: it reports the byte counters and passes the time in.
/// </summary>
public sealed class ChokingMachine<TPeer> where TPeer : notnull
{
    private readonly Dictionary<TPeer, ChokingPeer> _peers = [];
    private readonly Queue<SwarmCommand<TPeer>> _outbox = new();
    private readonly Random _random;
    private Choker _choker;
    private TimeSpan _lastRound;
    private TimeSpan _lastOptimistic;

    /// <param name="slots">Regular unchoke slots (the optimistic one comes on top).</param>
    /// <param name="start">The time of the machine's start on the driver's clock: the first rounds count from it.</param>
    /// <param name="random">Draws the optimistic unchoke (a seeded one in tests).</param>
    public ChokingMachine(int slots, TimeSpan chokeInterval, TimeSpan optimisticInterval, TimeSpan start, Random? random = null)
    {
        _random = random ?? Random.Shared;
        _choker = new Choker(slots, _random);
        ChokeInterval = chokeInterval;
        OptimisticInterval = optimisticInterval;
        _lastRound = _lastOptimistic = start;
    }

    public int Slots => _choker.Slots;

    public TimeSpan ChokeInterval { get; }

    public TimeSpan OptimisticInterval { get; }

    /// <summary>The peer holding the optimistic unchoke, if any.</summary>
    public TPeer? Optimistic => _choker.Optimistic is TPeer peer ? peer : default;

    public int PeerCount => _peers.Count;

    /// <summary>Peers we do not choke now.</summary>
    public int UnchokedCount => _peers.Values.Count(p => !p.AmChoking);

    /// <summary>Whether we choke <paramref name="peer"/> (true for a peer the machine does not know).</summary>
    public bool IsChoking(TPeer peer) => !_peers.TryGetValue(peer, out var state) || state.AmChoking;

    /// <summary>Unchokes every interested peer from now on (super-seeding: the seed decides through what it shows).</summary>
    public void UnlimitedSlots() => _choker = new Choker(int.MaxValue, _random);

    /// <summary>A new connection: choked until a round or its interest unchokes it.</summary>
    public void PeerConnected(TPeer peer) => _peers.TryAdd(peer, new ChokingPeer());

    /// <summary>The peer left; commands for it not yet taken are dropped.</summary>
    public void PeerDisconnected(TPeer peer)
    {
        if (_peers.Remove(peer))
        {
            SwarmOutbox.Forget(_outbox, peer);
        }
    }

    /// <summary>The peer sent interested (true) or not interested (false).</summary>
    public void PeerInterested(TPeer peer, bool interested)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        state.Interested = interested;
        if (interested && state.AmChoking && UnchokedCount < (long)Slots + 1)
        {
            Unchoke(peer, state);
        }
    }

    /// <summary>The peer has every piece (seeds never need a slot) or no longer does.</summary>
    public void PeerIsSeed(TPeer peer, bool isSeed)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.IsSeed = isSeed;
        }
    }

    /// <summary>The payload byte counters of the connection to <paramref name="peer"/> (totals, not deltas).</summary>
    public void Transferred(TPeer peer, long downloaded, long uploaded)
    {
        if (_peers.TryGetValue(peer, out var state))
        {
            state.Downloaded = downloaded;
            state.Uploaded = uploaded;
        }
    }

    /// <summary>
    /// The clock moved to <paramref name="now"/>: runs a round when <see cref="ChokeInterval"/> has passed since the
    /// last one, rotating the optimistic unchoke when <see cref="OptimisticInterval"/> has. <paramref name="seeding"/>
    /// ranks peers by upload instead of download.
    /// </summary>
    public void Tick(TimeSpan now, bool seeding)
    {
        var rotate = now - _lastOptimistic >= OptimisticInterval;
        if (!rotate && now - _lastRound < ChokeInterval)
        {
            return;
        }
        _lastRound = now;
        if (rotate)
        {
            _lastOptimistic = now;
        }
        var candidates = new List<ChokeCandidate>(_peers.Count);
        foreach (var (peer, state) in _peers)
        {
            var rate = seeding ? state.Uploaded - state.UploadedAtLastRound : state.Downloaded - state.DownloadedAtLastRound;
            state.DownloadedAtLastRound = state.Downloaded;
            state.UploadedAtLastRound = state.Uploaded;
            candidates.Add(new ChokeCandidate(peer, state.Interested && !state.IsSeed, rate));
        }
        var unchoke = _choker.Decide(candidates, rotate);
        foreach (var (peer, state) in _peers)
        {
            var shouldUnchoke = unchoke.Contains(peer);
            if (shouldUnchoke && state.AmChoking)
            {
                Unchoke(peer, state);
            }
            else if (!shouldUnchoke && !state.AmChoking)
            {
                state.AmChoking = true;
                _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Choke, peer));
            }
        }
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out SwarmCommand<TPeer> command) => _outbox.TryDequeue(out command);

    private void Unchoke(TPeer peer, ChokingPeer state)
    {
        state.AmChoking = false;
        _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Unchoke, peer));
    }
}
