using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// Super-seeding (BEP 16) as a sans-IO machine: a seed sends no bitfield; each peer is shown a few pieces (HAVE
/// commands) that the swarm has least, and is shown more only as its pieces reach other peers. Pieces somebody already
/// has are shown only to a peer with nothing else to fetch from us, one at a time. The seeder then uploads little more
/// than one copy and the leechers trade the rest. The driver unchokes every interested peer and keeps finished peers
/// connected (their pieces count as available): the reveal window, not the choker, limits each peer.
/// <para>
/// Adaptive mode (<see cref="TorrentEngineOptions.AdaptiveSeeding"/>, pack torrents): a peer that is the only one downloading
/// is shown <see cref="LoneWindowBytes"/> of pieces ahead, and a piece leaves its window as soon as it has it, so a
/// lone clone runs at full speed. With two or more downloading at once the BEP 16 rules above apply, except that
/// pieces others already have are shown (a window at a time) only to a starving peer: one with nothing left to fetch
/// from us that got no piece from anyone for <see cref="StarveTime"/>. Such a peer's window moves on as soon as it has
/// a piece (it cannot pass it on) until it gets a piece elsewhere, so a peer that cannot reach the others, or whose
/// peers left, is never stalled.
/// </para>
/// Events: a peer connected (its bitfield), became ready for haves, sent a bitfield or a have, left; the clock moved.
/// Commands: <see cref="SwarmCommandKind.Have"/>. Time comes in as a value; ties are broken by the given Random.
/// </summary>
public sealed class SuperSeedingMachine<TPeer> where TPeer : notnull
{
    /// <summary>Pieces shown to a peer and not yet passed on to somebody else.</summary>
    public const int Window = 8;

    /// <summary>Adaptive mode: how far ahead a lone downloader is shown pieces (about one full request pipeline).</summary>
    public const long LoneWindowBytes = 8L * 1024 * 1024;

    /// <summary>Adaptive mode: a peer that got no piece from anyone else for this long is shown pieces others have.</summary>
    public static readonly TimeSpan StarveTime = TimeSpan.FromSeconds(1);

    private readonly Dictionary<TPeer, SuperSeedingPeer> _peers = [];
    private readonly Queue<SwarmCommand<TPeer>> _outbox = new();
    private readonly int[] _availability;
    private readonly int[] _revealCount;
    private readonly Random _random;
    private readonly int _loneWindow;

    /// <summary>Pieces no connected peer has (adaptive mode skips its reveal scan when none are left).</summary>
    private int _unavailablePieces;

    /// <param name="adaptive">Adaptive mode (above) rather than strict BEP 16.</param>
    /// <param name="random">Where the scan for the rarest piece starts (a seeded one in tests).</param>
    public SuperSeedingMachine(int pieceCount, int pieceLength, bool adaptive, Random? random = null)
    {
        _availability = new int[pieceCount];
        _revealCount = new int[pieceCount];
        _unavailablePieces = pieceCount;
        _random = random ?? Random.Shared;
        Adaptive = adaptive;
        _loneWindow = (int)Math.Max(Window, LoneWindowBytes / pieceLength);
    }

    public bool Adaptive { get; }

    /// <summary>Adaptive mode: two or more peers downloaded at once at the last reveal, so the BEP 16 rules apply.</summary>
    public bool Shared { get; private set; }

    /// <summary>Peers that still missed pieces at the last reveal.</summary>
    public int Downloaders { get; private set; }

    public int PeerCount => _peers.Count;

    /// <summary>Connected peers that hold <paramref name="piece"/>, as far as the machine was told.</summary>
    public int Availability(int piece) => _availability[piece];

    /// <summary>Pieces shown to <paramref name="peer"/> and not yet passed on (empty for a peer the machine does not know).</summary>
    public IReadOnlyCollection<int> Revealed(TPeer peer) => _peers.TryGetValue(peer, out var state) ? state.Revealed : [];

    public bool IsStarving(TPeer peer) => _peers.TryGetValue(peer, out var state) && state.Starving;

    /// <summary>A new connection with the pieces it has (the driver's bitfield, read, never written).</summary>
    public void PeerConnected(TPeer peer, Bitfield has)
    {
        if (_peers.TryAdd(peer, new SuperSeedingPeer(has)))
        {
            AddAvailability(has, +1);
        }
    }

    /// <summary>The handshakes went out: from now on the peer is shown pieces.</summary>
    public void PeerReady(TPeer peer, TimeSpan now)
    {
        if (_peers.TryGetValue(peer, out var state) && !state.Ready)
        {
            state.Ready = true;
            RevealMore(state, peer, CountDownloaders(), now);
        }
    }

    /// <summary>The peer sent a bitfield (it replaces what it had).</summary>
    public void PeerBitfield(TPeer peer, Bitfield has, TimeSpan now)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        AddAvailability(state.Has, -1);
        AddAvailability(has, +1);
        state.Has = has;
        RevealMore(state, peer, CountDownloaders(), now);
    }

    /// <summary>The peer announced <paramref name="piece"/> (the driver already set it in the peer's bitfield).</summary>
    public void PeerHas(TPeer peer, int piece, TimeSpan now)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        if (!state.Revealed.Contains(piece))
        {
            // Got elsewhere: it trades with other peers.
            state.Starving = false;
            state.BlockedSince = null;
        }
        AddAvailability(piece, +1);
        RevealToAll(now);
    }

    /// <summary>The peer left: its pieces no longer count and what it was shown may be shown to others.</summary>
    public void PeerDisconnected(TPeer peer, TimeSpan now)
    {
        if (!_peers.Remove(peer, out var state))
        {
            return;
        }
        SwarmOutbox.Forget(_outbox, peer);
        AddAvailability(state.Has, -1);
        foreach (var piece in state.Revealed)
        {
            _revealCount[piece]--;
        }
        state.Revealed.Clear();
        RevealToAll(now);
    }

    /// <summary>The clock moved (about once a second): adaptive mode serves peers that started starving.</summary>
    public void Tick(TimeSpan now)
    {
        if (Adaptive)
        {
            RevealToAll(now);
        }
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out SwarmCommand<TPeer> command) => _outbox.TryDequeue(out command);

    private void AddAvailability(Bitfield has, int sign)
    {
        for (var i = 0; i < has.Length; i++)
        {
            if (has[i])
            {
                AddAvailability(i, sign);
            }
        }
    }

    private void AddAvailability(int piece, int sign)
    {
        var before = _availability[piece];
        _availability[piece] = before + sign;
        if (before == 0)
        {
            _unavailablePieces--;
        }
        else if (before + sign == 0)
        {
            _unavailablePieces++;
        }
    }

    private void RevealToAll(TimeSpan now)
    {
        var downloaders = CountDownloaders();
        foreach (var (peer, state) in _peers)
        {
            RevealMore(state, peer, downloaders, now);
        }
    }

    /// <summary>Connected peers that still miss pieces; adaptive mode switches between lone and shared on it.</summary>
    private int CountDownloaders()
    {
        var n = 0;
        foreach (var state in _peers.Values)
        {
            if (!state.Has.All)
            {
                n++;
            }
        }
        Downloaders = n;
        if (Adaptive)
        {
            Shared = n >= 2;
        }
        return n;
    }

    /// <summary>Shows the peer new pieces while its window has room.</summary>
    private void RevealMore(SuperSeedingPeer state, TPeer peer, int downloaders, TimeSpan now)
    {
        var has = state.Has;
        if (!state.Ready)
        {
            return;
        }
        // Adaptive: nobody else downloads, so there is nobody to pass pieces on to; serve this peer like a plain seed.
        var lone = Adaptive && downloaders - (has.All ? 0 : 1) <= 0;
        // Adaptive: a peer that gets nothing from anyone else cannot pass pieces on either (it reaches nobody, or
        // nobody reaches it); waiting for its pieces to spread would stall it.
        var starving = Adaptive && UpdateStarving(state, has, now);
        // A revealed piece is done once the peer has it and somebody else has it too (or nobody else wants it).
        state.Revealed.RemoveWhere(p =>
        {
            var spread = has[p] && (_availability[p] > 1 || lone || starving);
            if (spread)
            {
                _revealCount[p]--;
            }
            return spread;
        });
        if (Adaptive && !starving && _unavailablePieces == 0)
        {
            return; // everything left is available elsewhere: nothing to show a peer that is getting pieces
        }
        var window = lone ? _loneWindow : Window;
        while (state.Revealed.Count < window)
        {
            var piece = PickPieceToReveal(state, has, inOrder: lone);
            if (piece < 0)
            {
                return;
            }
            if (_availability[piece] > 0)
            {
                // Only copies the swarm already has are left. Strict BEP 16: hand them out one at a time, and only to
                // a peer that has nothing left to fetch from us. Adaptive: only to a peer that gets nothing elsewhere.
                if (Adaptive ? !starving : state.Revealed.Any(p => !has[p]))
                {
                    return;
                }
            }
            state.Revealed.Add(piece);
            _revealCount[piece]++;
            _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Have, peer, Index: piece));
        }
    }

    /// <summary>
    /// Starving: nothing left to fetch from us, and no piece from anybody for <see cref="StarveTime"/> since. Stays so
    /// until it gets a piece elsewhere (a peer that reaches nobody keeps being served at full speed). A peer busy with
    /// its window (a lone downloader) is never starving, however long it has gone without pieces from others.
    /// </summary>
    private static bool UpdateStarving(SuperSeedingPeer state, Bitfield has, TimeSpan now)
    {
        if (state.Starving || has.All)
        {
            return state.Starving;
        }
        if (state.Revealed.Any(p => !has[p]))
        {
            state.BlockedSince = null;
            return false;
        }
        if (state.BlockedSince is not { } since)
        {
            state.BlockedSince = now;
            return false;
        }
        state.Starving = now - since >= StarveTime;
        return state.Starving;
    }

    /// <summary>
    /// The piece the fewest peers have and the fewest were shown, that this peer lacks and was not shown; among equals
    /// the first from a random start, or, for a lone downloader (<paramref name="inOrder"/>), the first in the file, so a
    /// clone that streams the pack into index-pack gets it in order.
    /// </summary>
    private int PickPieceToReveal(SuperSeedingPeer state, Bitfield has, bool inOrder)
    {
        var count = _availability.Length;
        var start = inOrder ? 0 : _random.Next(count);
        var best = -1;
        var bestScore = int.MaxValue;
        for (var k = 0; k < count; k++)
        {
            var i = (start + k) % count;
            if (has[i] || state.Revealed.Contains(i))
            {
                continue;
            }
            var score = (_availability[i] * 1000) + _revealCount[i];
            if (score < bestScore)
            {
                best = i;
                bestScore = score;
                if (score == 0)
                {
                    break;
                }
            }
        }
        return best;
    }
}
