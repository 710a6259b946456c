using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>
/// Fetching the info dictionary with ut_metadata (BEP 9) when only the infohash is known, as a sans-IO machine. The
/// whole dictionary is asked of one peer at a time, so when it does not hash to the infohash the liar is known: it is
/// closed and not asked again under its peer id, and the next peer is asked. A peer that rejects, leaves or sends
/// nothing for <see cref="RequestTimeout"/> hands over to the next one; when every peer was tried, the round starts
/// again. Offers above <see cref="WireLimits.MaxMetadataSize"/> are never taken, so one source costs at most that
/// much memory and a failed round at most one dictionary's bytes per peer.
/// Events: a peer offered the metadata (its size), sent a piece, rejected, left; the clock moved; the metadata became
/// known another way. Commands: <see cref="SwarmCommandKind.RequestMetadata"/> and <see cref="SwarmCommandKind.Close"/>.
/// </summary>
public sealed class MetadataMachine<TPeer>(Hash20 infoHash) where TPeer : notnull
{
    /// <summary>A source that sent nothing for this long is passed over for the next.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly List<MetadataOffer<TPeer>> _offers = [];
    private readonly HashSet<Hash20> _liars = [];
    private readonly HashSet<TPeer> _tried = [];
    private readonly Queue<SwarmCommand<TPeer>> _outbox = new();
    private MetadataOffer<TPeer>? _source;
    private byte[]? _buffer;
    private bool[]? _received;
    private TimeSpan _askedAt;

    public Hash20 InfoHash { get; } = infoHash;

    /// <summary>The metadata is complete and verified, or known another way: nothing more is asked.</summary>
    public bool IsDone { get; private set; }

    /// <summary>The verified info dictionary once <see cref="MetadataPieceResult.Complete"/> was returned.</summary>
    public byte[]? Metadata { get; private set; }

    /// <summary>A peer is being asked now (<see cref="Source"/>).</summary>
    public bool IsAsking => _source is not null;

    /// <summary>The peer asked now (default when <see cref="IsAsking"/> is false).</summary>
    public TPeer? Source => _source is { } source ? source.Peer : default;

    /// <summary>Peers found lying (by peer id).</summary>
    public int LiarCount => _liars.Count;

    /// <summary>Payload bytes of the pieces stored so far, over every source.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>The peer offers the metadata: <paramref name="size"/> bytes (<c>metadata_size</c>, BEP 9).</summary>
    public void PeerOffered(TPeer peer, Hash20 peerId, int size, TimeSpan now)
    {
        if (size <= 0 || size > WireLimits.MaxMetadataSize)
        {
            return;
        }
        var offer = new MetadataOffer<TPeer>(peer, peerId, size);
        var index = _offers.FindIndex(o => EqualityComparer<TPeer>.Default.Equals(o.Peer, peer));
        if (index >= 0)
        {
            _offers[index] = offer; // a second handshake: the size it states now counts from the next round
        }
        else
        {
            _offers.Add(offer);
        }
        if (_source is null)
        {
            Next(now);
        }
    }

    /// <summary>A ut_metadata data message from <paramref name="peer"/>: piece <paramref name="piece"/> of a dictionary of <paramref name="totalSize"/> bytes.</summary>
    public MetadataPieceResult PieceReceived(TPeer peer, int piece, int totalSize, ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (IsDone || _source is not { } source || _buffer is null || _received is null
            || !EqualityComparer<TPeer>.Default.Equals(source.Peer, peer))
        {
            return MetadataPieceResult.Ignored;
        }
        if (totalSize != _buffer.Length || piece < 0 || piece >= _received.Length)
        {
            return MetadataPieceResult.WrongSize;
        }
        var offset = piece * WireLimits.MetadataPieceSize;
        if (data.Length != Math.Min(WireLimits.MetadataPieceSize, totalSize - offset))
        {
            return MetadataPieceResult.WrongLength;
        }
        data.CopyTo(_buffer.AsSpan(offset));
        BytesReceived += data.Length;
        _received[piece] = true;
        _askedAt = now;
        if (Array.IndexOf(_received, false) >= 0)
        {
            return MetadataPieceResult.Stored;
        }
        if (Hash20.Sha1(_buffer) != InfoHash)
        {
            _liars.Add(source.PeerId);
            _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.Close, peer));
            Next(now);
            return MetadataPieceResult.Liar;
        }
        Metadata = _buffer;
        Finish();
        return MetadataPieceResult.Complete;
    }

    /// <summary>The peer rejected a request: the next peer is asked.</summary>
    public void Rejected(TPeer peer, TimeSpan now)
    {
        if (IsSource(peer))
        {
            Next(now);
        }
    }

    /// <summary>The peer left: commands for it are dropped, and if it was the source the next peer is asked.</summary>
    public void PeerDisconnected(TPeer peer, TimeSpan now)
    {
        _offers.RemoveAll(o => EqualityComparer<TPeer>.Default.Equals(o.Peer, peer));
        _tried.Remove(peer);
        SwarmOutbox.Forget(_outbox, peer);
        if (IsSource(peer))
        {
            Next(now);
        }
    }

    /// <summary>The clock moved: a source silent for <see cref="RequestTimeout"/> is passed over; with no source, one is sought.</summary>
    public void Tick(TimeSpan now)
    {
        if (!IsDone && (_source is null || now - _askedAt > RequestTimeout))
        {
            Next(now);
        }
    }

    /// <summary>The metadata is known another way (or the torrent stops): nothing more is asked.</summary>
    public void Finish()
    {
        IsDone = true;
        _source = null;
        _buffer = null;
        _received = null;
    }

    /// <summary>The next command for the driver, in the order they were decided.</summary>
    public bool TryTake(out SwarmCommand<TPeer> command) => _outbox.TryDequeue(out command);

    private bool IsSource(TPeer peer) => _source is { } source && EqualityComparer<TPeer>.Default.Equals(source.Peer, peer);

    /// <summary>Asks the next peer that offers the metadata and never lied for all of it.</summary>
    private void Next(TimeSpan now)
    {
        _source = null;
        _buffer = null;
        _received = null;
        if (IsDone)
        {
            return;
        }
        var candidates = _offers.Where(o => !_liars.Contains(o.PeerId)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        if (candidates.All(o => _tried.Contains(o.Peer)))
        {
            _tried.Clear(); // everybody stalled or refused once: go round again
        }
        var source = candidates.First(o => !_tried.Contains(o.Peer));
        _tried.Add(source.Peer);
        _source = source;
        _buffer = new byte[source.Size];
        _received = new bool[(source.Size + WireLimits.MetadataPieceSize - 1) / WireLimits.MetadataPieceSize];
        _askedAt = now;
        for (var i = 0; i < _received.Length; i++)
        {
            _outbox.Enqueue(new SwarmCommand<TPeer>(SwarmCommandKind.RequestMetadata, source.Peer, Index: i));
        }
    }
}
