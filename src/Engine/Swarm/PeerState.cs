using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Swarm;

/// <summary>What one torrent session knows about one connected peer. Guarded by the session's lock.</summary>
internal sealed class PeerState(PeerConnection connection)
{
    public PeerConnection Connection { get; } = connection;

    /// <summary>Pieces the peer has; null until the torrent's piece count is known.</summary>
    public Bitfield? Has { get; set; }

    /// <summary>A bitfield received before we had the metadata.</summary>
    public byte[]? PendingBitfield { get; set; }

    public List<int> PendingHaves { get; } = [];

    public bool PeerChoking { get; set; } = true;

    public bool PeerInterested { get; set; }

    /// <summary>The remote's <c>reqq</c> (BEP 10), passed to the picking machine when it learns of the peer.</summary>
    public int MaxRequests { get; set; } = Machines.PickingPeer.DefaultMaxRequests;

    /// <summary>Blocks that may still arrive after we cancelled or dropped them; unsolicited blocks beyond it are a violation.</summary>
    public int UnsolicitedBudget { get; set; } = 16;

    /// <summary>Payload bytes per second received from the peer, measured each second.</summary>
    public long DownloadRate { get; set; }

    public long DownloadedAtLastTick { get; set; }

    public int MetadataSize { get; set; }

    public bool SentBitfieldOrHave { get; set; }

    public bool IsSeed => Has is { All: true };

    /// <summary>Super-seeding (BEP 16): pieces shown to this peer that it has not yet passed on.</summary>
    public HashSet<int> Revealed { get; } = [];

    /// <summary>Adaptive seeding: since when the peer has had nothing to fetch from us (0 = it has).</summary>
    public long BlockedSince { get; set; }

    /// <summary>
    /// Adaptive seeding: it had nothing to fetch from us and got no piece from anybody else for a while, so it is
    /// served pieces others have too; cleared by the next piece it gets elsewhere.
    /// </summary>
    public bool Starving { get; set; }

    /// <summary>ut_pex: when we last sent this peer a message (0 = never).</summary>
    public long PexSentAt { get; set; }

    /// <summary>ut_pex: the endpoints this peer has been told about and not told dropped.</summary>
    public HashSet<System.Net.IPEndPoint> PexAdvertised { get; } = [];

    /// <summary>When we and the peer were first both seeds (0 = not both seeds).</summary>
    public long BothSeedsSince { get; set; }
}
