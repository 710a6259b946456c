using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

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

    public bool SentBitfieldOrHave { get; set; }

    public bool IsSeed => Has is { All: true };

    /// <summary>When we and the peer were first both seeds (0 = not both seeds).</summary>
    public long BothSeedsSince { get; set; }
}
