using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Super-seeding (BEP 16): a seed sends no bitfield; each peer is shown a few pieces (HAVE) that the swarm has least,
/// and is shown more only as its pieces reach other peers. Pieces somebody already has are shown only to a peer with
/// nothing else to fetch from us, one at a time. The seeder then uploads little more than one copy and the leechers
/// trade the rest. Every interested peer is unchoked, and finished peers are not dropped (their pieces count as
/// available): the reveal window, not the choker, limits each peer.
/// <para>
/// Adaptive mode (<see cref="SwarmOptions.AdaptiveSeeding"/>, pack torrents): a peer that is the only one downloading
/// is shown <see cref="LoneWindowBytes"/> of pieces ahead, and a piece leaves its window as soon as it has it, so a
/// lone clone runs at full speed. With two or more downloading at once the BEP 16 rules above apply, except that
/// pieces others already have are shown (a window at a time) only to a starving peer: one with nothing left to fetch
/// from us that got no piece from anyone for <see cref="StarveTime"/>. Such a peer's window moves on as soon as it has
/// a piece (it cannot pass it on) until it gets a piece elsewhere, so a peer that cannot reach the others, or whose
/// peers left, is never stalled.
/// </para>
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>Pieces shown to a peer and not yet passed on to somebody else.</summary>
    private const int SuperSeedWindow = 8;

    /// <summary>Adaptive mode: how far ahead a lone downloader is shown pieces (about one full request pipeline).</summary>
    internal const long LoneWindowBytes = 8L * 1024 * 1024;

    /// <summary>Adaptive mode: a peer that got no piece from anyone else for this long is shown pieces others have.</summary>
    internal static readonly TimeSpan StarveTime = TimeSpan.FromSeconds(1);

    private int[]? _swarmAvailability;
    private int[]? _revealCount;
    private bool _adaptive;
    private int _loneWindow = SuperSeedWindow;
    private bool _lastSharedMode;

    /// <summary>Pieces no connected peer has (adaptive mode skips its reveal scan when none are left).</summary>
    private int _unavailablePieces;

    private bool IsSuperSeeding => _swarmAvailability is not null;

    private void EnableSuperSeeding(TorrentMetainfo metainfo, bool adaptive)
    {
        _swarmAvailability = new int[metainfo.PieceCount];
        _revealCount = new int[metainfo.PieceCount];
        _choking.UnlimitedSlots();
        _adaptive = adaptive;
        _loneWindow = (int)Math.Max(SuperSeedWindow, LoneWindowBytes / metainfo.PieceLength);
        _unavailablePieces = metainfo.PieceCount;
    }

    private void SuperSeedAvailability(Bitfield? has, int sign)
    {
        if (_swarmAvailability is null || has is null)
        {
            return;
        }
        for (var i = 0; i < has.Length; i++)
        {
            if (has[i])
            {
                AddAvailability(i, sign);
            }
        }
    }

    private void SuperSeedHave(int piece)
    {
        if (_swarmAvailability is null)
        {
            return;
        }
        AddAvailability(piece, +1);
        RevealToAll();
    }

    private void SuperSeedDetach(PeerState peer)
    {
        if (_swarmAvailability is null)
        {
            return;
        }
        SuperSeedAvailability(peer.Has, -1);
        foreach (var piece in peer.Revealed)
        {
            _revealCount![piece]--;
        }
        peer.Revealed.Clear();
        RevealToAll();
    }

    private void AddAvailability(int piece, int sign)
    {
        var before = _swarmAvailability![piece];
        _swarmAvailability[piece] = before + sign;
        if (before == 0)
        {
            _unavailablePieces--;
        }
        else if (before + sign == 0)
        {
            _unavailablePieces++;
        }
    }

    /// <summary>Once a second: peers that started starving get pieces others have (adaptive mode, lock held).</summary>
    private void SuperSeedTick()
    {
        if (_adaptive)
        {
            RevealToAll();
        }
    }

    private void RevealToAll()
    {
        var downloaders = CountDownloaders();
        if (_adaptive && (downloaders >= 2) != _lastSharedMode)
        {
            _lastSharedMode = downloaders >= 2;
            SwarmLog.SeedingMode(_logger, InfoHash, downloaders, _lastSharedMode);
        }
        foreach (var peer in _peers.Values)
        {
            RevealMore(peer, downloaders);
        }
    }

    /// <summary>Connected peers that still miss pieces.</summary>
    private int CountDownloaders()
    {
        var n = 0;
        foreach (var p in _peers.Values)
        {
            if (p.Has is { All: false } && !p.Connection.IsClosed)
            {
                n++;
            }
        }
        return n;
    }

    private void RevealMore(PeerState peer) => RevealMore(peer, CountDownloaders());

    /// <summary>Shows <paramref name="peer"/> new pieces while its window has room (lock held).</summary>
    private void RevealMore(PeerState peer, int downloaders)
    {
        var has = peer.Has;
        if (_swarmAvailability is null || has is null || !peer.SentBitfieldOrHave)
        {
            return;
        }
        // Adaptive: nobody else downloads, so there is nobody to pass pieces on to; serve this peer like a plain seed.
        var lone = _adaptive && downloaders - (has.All ? 0 : 1) <= 0;
        // Adaptive: a peer that gets nothing from anyone else cannot pass pieces on either (it reaches nobody, or
        // nobody reaches it); waiting for its pieces to spread would stall it.
        var starving = _adaptive && UpdateStarving(peer, has);
        // A revealed piece is done once the peer has it and somebody else has it too (or nobody else wants it).
        peer.Revealed.RemoveWhere(p =>
        {
            var spread = has[p] && (_swarmAvailability[p] > 1 || lone || starving);
            if (spread)
            {
                _revealCount![p]--;
            }
            return spread;
        });
        if (_adaptive && !starving && _unavailablePieces == 0)
        {
            return; // everything left is available elsewhere: nothing to show a peer that is getting pieces
        }
        var window = lone ? _loneWindow : SuperSeedWindow;
        while (peer.Revealed.Count < window)
        {
            var piece = PickPieceToReveal(peer, has, lone);
            if (piece < 0)
            {
                return;
            }
            if (_swarmAvailability[piece] > 0)
            {
                // Only copies the swarm already has are left. Strict BEP 16: hand them out one at a time, and only to
                // a peer that has nothing left to fetch from us. Adaptive: only to a peer that gets nothing elsewhere.
                if (_adaptive ? !starving : peer.Revealed.Any(p => !has[p]))
                {
                    return;
                }
            }
            peer.Revealed.Add(piece);
            _revealCount![piece]++;
            peer.Connection.SendHave(piece);
        }
    }

    /// <summary>
    /// Starving: nothing left to fetch from us, and no piece from anybody for <see cref="StarveTime"/> since. Stays so
    /// until it gets a piece elsewhere (a peer that reaches nobody keeps being served at full speed). A peer busy with
    /// its window (a lone downloader) is never starving, however long it has gone without pieces from others.
    /// </summary>
    private bool UpdateStarving(PeerState peer, Bitfield has)
    {
        if (peer.Starving || has.All)
        {
            return peer.Starving;
        }
        var now = _engine.TimeProvider.GetTimestamp();
        if (peer.Revealed.Any(p => !has[p]))
        {
            peer.BlockedSince = 0;
            return false;
        }
        if (peer.BlockedSince == 0)
        {
            peer.BlockedSince = now;
            return false;
        }
        peer.Starving = _engine.TimeProvider.GetElapsedTime(peer.BlockedSince, now) >= StarveTime;
        return peer.Starving;
    }

    /// <summary>
    /// The least spread piece the peer lacks; among equals, the first from a random start, or (a lone downloader) the
    /// first in the file, so a clone that streams the pack into index-pack gets it in order.
    /// </summary>
    private int PickPieceToReveal(PeerState peer, Bitfield has, bool inOrder)
    {
        var count = _swarmAvailability!.Length;
        var start = inOrder ? 0 : Random.Shared.Next(count);
        var best = -1;
        var bestScore = int.MaxValue;
        for (var k = 0; k < count; k++)
        {
            var i = (start + k) % count;
            if (has[i] || peer.Revealed.Contains(i))
            {
                continue;
            }
            var score = (_swarmAvailability[i] * 1000) + _revealCount![i];
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
