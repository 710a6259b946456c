using System.Buffers;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Torrents.Picking;

/// <summary>
/// Rarest-first block picking with end game (sans-IO, owned by one session under its lock). Pieces in progress
/// are finished before new ones are started, and at most <c>maxPartialPieces</c> are in progress, which bounds the
/// memory of a download whatever the torrent size.
/// </summary>
public sealed class PiecePicker
{
    private readonly TorrentMetainfo _metainfo;
    private readonly int[] _availability;
    private readonly bool[] _busy;
    private readonly bool[] _failed;
    private readonly Dictionary<int, PartialPiece> _partial = [];
    private readonly int _maxPartialPieces;
    private readonly Random _random;

    /// <summary>Streaming: the first piece the file's reader may still lack (-1: not streaming).</summary>
    private int _streamFront = -1;

    /// <summary>Streaming: pieces from <see cref="_streamFront"/> on that are started in file order.</summary>
    private int _streamWindow;

    /// <param name="random">Breaks ties among equally rare pieces; <see cref="Random.Shared"/> unless a simulation seeds one.</param>
    public PiecePicker(TorrentMetainfo metainfo, Bitfield have, int maxPartialPieces, Random? random = null)
    {
        _random = random ?? Random.Shared;
        _metainfo = metainfo;
        Have = have;
        _availability = new int[metainfo.PieceCount];
        _busy = new bool[metainfo.PieceCount];
        _failed = new bool[metainfo.PieceCount];
        _maxPartialPieces = Math.Max(1, maxPartialPieces);
    }

    /// <summary>Pieces verified and written.</summary>
    public Bitfield Have { get; }

    public int PartialCount => _partial.Count;

    public bool IsEndGame { get; private set; }

    /// <summary>
    /// Streams the file to a reader that consumes it in order (a pack into <c>git index-pack --stdin</c>): the pieces
    /// of the window of <paramref name="windowBytes"/> from the first piece at or after <paramref name="front"/> we
    /// lack are started in file order, the rest rarest first. The front follows the verified pieces by itself.
    /// </summary>
    public void StreamFrom(int front, long windowBytes)
    {
        _streamFront = Math.Clamp(front, 0, _availability.Length);
        _streamWindow = (int)Math.Clamp(windowBytes / _metainfo.PieceLength, 1, _availability.Length);
    }

    /// <summary>The first piece we lack at or after the stream's front, or -1 when not streaming (or none is missing).</summary>
    public int StreamFront
    {
        get
        {
            if (_streamFront < 0)
            {
                return -1;
            }
            while (_streamFront < _availability.Length && Have[_streamFront])
            {
                _streamFront++;
            }
            return _streamFront < _availability.Length ? _streamFront : -1;
        }
    }

    public int GetAvailability(int piece) => _availability[piece];

    public void AddAvailability(Bitfield peerHas)
    {
        for (var i = 0; i < _availability.Length; i++)
        {
            if (peerHas[i])
            {
                _availability[i]++;
            }
        }
    }

    public void RemoveAvailability(Bitfield peerHas)
    {
        for (var i = 0; i < _availability.Length; i++)
        {
            if (peerHas[i])
            {
                _availability[i]--;
            }
        }
    }

    public void AddAvailability(int piece) => _availability[piece]++;

    /// <summary>Whether a peer holding <paramref name="peerHas"/> has any piece we still need.</summary>
    public bool IsInteresting(Bitfield peerHas)
    {
        for (var i = 0; i < _availability.Length; i++)
        {
            if (peerHas[i] && !Have[i])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Picks up to <paramref name="max"/> blocks for a peer that has <paramref name="peerHas"/> and already waits
    /// for <paramref name="outstanding"/>. Picked blocks are added to <paramref name="output"/> and <paramref name="outstanding"/>.
    /// </summary>
    /// <param name="sequential">Start new pieces in file order instead of rarest first (web seeds: contiguous HTTP ranges).</param>
    public int Pick(object peer, Bitfield peerHas, HashSet<BlockRequest> outstanding, int max, List<BlockRequest> output,
        bool sequential = false)
    {
        var picked = 0;
        foreach (var partial in _partial.Values)
        {
            if (picked >= max)
            {
                return picked;
            }
            if (partial.FreeCount > 0 && peerHas[partial.Piece] && (partial.Owner is null || Equals(partial.Owner, peer)))
            {
                picked += TakeFree(partial, outstanding, max - picked, output);
            }
        }
        while (picked < max && _partial.Count < _maxPartialPieces)
        {
            var piece = sequential ? PickFirst(peerHas, 0, _availability.Length) : PickNearStreamFront(peerHas);
            if (piece < 0 && !sequential)
            {
                piece = PickRarest(peerHas);
            }
            if (piece < 0)
            {
                break;
            }
            var partial = new PartialPiece(piece, _metainfo.GetPieceSize(piece), WireLimits.BlockSize);
            partial.FreeCount = partial.BlockCount;
            if (_failed[piece])
            {
                partial.Owner = peer;
            }
            _partial.Add(piece, partial);
            picked += TakeFree(partial, outstanding, max - picked, output);
        }
        if (picked == 0 && _partial.Count > 0 && !AnyFreeBlocks() && !AnyUnstarted())
        {
            // End game (BEP 3 practice): everything missing is requested; ask this peer too. Only then: a peer that just
            // has nothing new to offer (it knows few pieces, as under super-seeding) waits instead of fetching blocks
            // others are already sending, which made 8 clones of one pack download it about twice over.
            IsEndGame = true;
            foreach (var partial in _partial.Values)
            {
                if (!peerHas[partial.Piece] || (partial.Owner is not null && !Equals(partial.Owner, peer)))
                {
                    continue;
                }
                for (var b = 0; b < partial.BlockCount && picked < max; b++)
                {
                    var request = MakeRequest(partial, b);
                    if (!partial.Received[b] && !outstanding.Contains(request))
                    {
                        partial.Requests[b]++;
                        outstanding.Add(request);
                        output.Add(request);
                        picked++;
                    }
                }
            }
        }
        return picked;
    }

    /// <summary>
    /// Stores a received block. <paramref name="outstanding"/> is the sender's request set; a block that is not in
    /// it is unsolicited. When the piece completes it leaves the picker and is returned in <paramref name="completed"/>.
    /// </summary>
    public BlockResult OnBlock(object peer, HashSet<BlockRequest> outstanding, int piece, int begin,
        ReadOnlySequence<byte> data, out PartialPiece? completed)
    {
        completed = null;
        var request = new BlockRequest(piece, begin, (int)data.Length);
        if (!outstanding.Remove(request))
        {
            return BlockResult.Unsolicited;
        }
        if (!_partial.TryGetValue(piece, out var partial))
        {
            return BlockResult.Duplicate;
        }
        var block = begin / WireLimits.BlockSize;
        partial.Requests[block]--;
        if (partial.Received[block])
        {
            return BlockResult.Duplicate;
        }
        data.CopyTo(partial.Buffer.AsSpan(begin));
        partial.Received[block] = true;
        partial.Contributors[block] = peer;
        partial.ReceivedCount++;
        if (!partial.IsComplete)
        {
            return BlockResult.Stored;
        }
        _partial.Remove(piece);
        _busy[piece] = true;
        completed = partial;
        return BlockResult.PieceComplete;
    }

    /// <summary>A request of ours ended without data (cancelled, choked, peer gone).</summary>
    public void OnRequestDropped(BlockRequest request)
    {
        if (!_partial.TryGetValue(request.Piece, out var partial))
        {
            return;
        }
        var block = request.Begin / WireLimits.BlockSize;
        if (partial.Requests[block] > 0)
        {
            partial.Requests[block]--;
        }
        if (partial.Requests[block] == 0 && !partial.Received[block])
        {
            partial.FreeCount++;
        }
    }

    /// <summary>The completed piece failed its hash: it can be picked again.</summary>
    public void OnPieceFailed(int piece)
    {
        _busy[piece] = false;
        _failed[piece] = true;
    }

    /// <summary>A peer left: pieces reserved for it are open to everybody again.</summary>
    public void ReleaseOwner(object peer)
    {
        foreach (var partial in _partial.Values)
        {
            if (Equals(partial.Owner, peer))
            {
                partial.Owner = null;
            }
        }
    }

    /// <summary>The completed piece is verified and in the file.</summary>
    public void OnPieceWritten(int piece)
    {
        _busy[piece] = false;
        Have[piece] = true;
    }

    /// <summary>Returns every buffer of pieces in progress to the pool (session shutdown).</summary>
    public void ReleaseAll()
    {
        foreach (var partial in _partial.Values)
        {
            ArrayPool<byte>.Shared.Return(partial.Buffer);
        }
        _partial.Clear();
    }

    /// <summary>Whether some piece we lack is neither in progress nor being verified (not every block is requested yet).</summary>
    private bool AnyUnstarted()
    {
        for (var i = 0; i < _availability.Length; i++)
        {
            if (!Have[i] && !_busy[i] && !_partial.ContainsKey(i))
            {
                return true;
            }
        }
        return false;
    }

    private bool AnyFreeBlocks()
    {
        foreach (var partial in _partial.Values)
        {
            if (partial.FreeCount > 0)
            {
                return true;
            }
        }
        return false;
    }

    private int TakeFree(PartialPiece partial, HashSet<BlockRequest> outstanding, int max, List<BlockRequest> output)
    {
        var taken = 0;
        for (var b = 0; b < partial.BlockCount && taken < max && partial.FreeCount > 0; b++)
        {
            if (partial.Requests[b] == 0 && !partial.Received[b])
            {
                var request = MakeRequest(partial, b);
                partial.Requests[b] = 1;
                partial.FreeCount--;
                outstanding.Add(request);
                output.Add(request);
                taken++;
            }
        }
        return taken;
    }

    private static BlockRequest MakeRequest(PartialPiece partial, int block)
    {
        var begin = block * WireLimits.BlockSize;
        return new BlockRequest(partial.Piece, begin, Math.Min(WireLimits.BlockSize, partial.Size - begin));
    }

    /// <summary>The first piece in [<paramref name="from"/>, <paramref name="to"/>) the peer has and nobody works on.</summary>
    private int PickFirst(Bitfield peerHas, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (peerHas[i] && !Have[i] && !_busy[i] && !_partial.ContainsKey(i))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Streaming: the first startable piece of the window at the stream's front, or -1.</summary>
    private int PickNearStreamFront(Bitfield peerHas)
    {
        var front = StreamFront;
        if (front < 0)
        {
            return -1;
        }
        // Pieces being hashed count as had: the window moves on while they are checked (one that fails comes back).
        while (front < _availability.Length && (Have[front] || _busy[front]))
        {
            front++;
        }
        return PickFirst(peerHas, front, Math.Min(front + _streamWindow, _availability.Length));
    }

    private int PickRarest(Bitfield peerHas)
    {
        var count = _availability.Length;
        var start = _random.Next(count);
        var best = -1;
        var bestAvailability = int.MaxValue;
        for (var k = 0; k < count; k++)
        {
            var i = start + k;
            if (i >= count)
            {
                i -= count;
            }
            if (peerHas[i] && !Have[i] && !_busy[i] && _availability[i] < bestAvailability && !_partial.ContainsKey(i))
            {
                best = i;
                bestAvailability = _availability[i];
                if (bestAvailability <= 1)
                {
                    break;
                }
            }
        }
        return best;
    }
}
