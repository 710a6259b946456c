using GitTorrent.Engine.Torrents.Pieces;

namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Super-seeding (BEP 16): a seed sends no bitfield; each peer is shown a few pieces (HAVE) that the swarm has least,
/// and is shown more only as its pieces reach other peers. The seeder then uploads little more than one copy and the
/// leechers trade the rest. Every interested peer is unchoked: the reveal window, not the choker, limits each peer.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>Pieces shown to a peer and not yet passed on to somebody else.</summary>
    private const int SuperSeedWindow = 4;

    private int[]? _swarmAvailability;
    private int[]? _revealCount;

    private bool IsSuperSeeding => _swarmAvailability is not null;

    private void EnableSuperSeeding(int pieceCount)
    {
        _swarmAvailability = new int[pieceCount];
        _revealCount = new int[pieceCount];
        _choker = new Choker(int.MaxValue);
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
                _swarmAvailability[i] += sign;
            }
        }
    }

    private void SuperSeedHave(int piece)
    {
        if (_swarmAvailability is null)
        {
            return;
        }
        _swarmAvailability[piece]++;
        foreach (var peer in _peers.Values)
        {
            RevealMore(peer);
        }
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
        foreach (var other in _peers.Values)
        {
            RevealMore(other);
        }
    }

    /// <summary>Shows <paramref name="peer"/> new pieces while its window has room (lock held).</summary>
    private void RevealMore(PeerState peer)
    {
        var has = peer.Has;
        if (_swarmAvailability is null || has is null || !peer.SentBitfieldOrHave)
        {
            return;
        }
        // A revealed piece is done once the peer has it and somebody else has it too.
        peer.Revealed.RemoveWhere(p =>
        {
            var spread = has[p] && _swarmAvailability[p] > 1;
            if (spread)
            {
                _revealCount![p]--;
            }
            return spread;
        });
        while (peer.Revealed.Count < SuperSeedWindow)
        {
            var piece = PickPieceToReveal(peer, has);
            if (piece < 0)
            {
                return;
            }
            peer.Revealed.Add(piece);
            _revealCount![piece]++;
            peer.Connection.SendHave(piece);
        }
    }

    private int PickPieceToReveal(PeerState peer, Bitfield has)
    {
        var count = _swarmAvailability!.Length;
        var start = Random.Shared.Next(count);
        var best = -1;
        var bestScore = int.MaxValue;
        for (var k = 0; k < count; k++)
        {
            var i = (start + k) % count;
            if (has[i] || peer.Revealed.Contains(i))
            {
                continue;
            }
            var score = _swarmAvailability[i] + _revealCount![i];
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
