using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="PickingMachine{TPeer}"/> knows of one peer.</summary>
internal sealed class PickingPeer(Bitfield has, TimeSpan now)
{
    /// <summary>The peer's pieces: the driver's bitfield, read here, never written.</summary>
    public Bitfield Has { get; set; } = has;

    public bool PeerChoking { get; set; } = true;

    public bool AmInterested { get; set; }

    public HashSet<BlockRequest> Outstanding { get; } = [];

    /// <summary>The remote's <c>reqq</c> (BEP 10), bounding our pipeline to it.</summary>
    public int MaxRequests { get; set; } = DefaultMaxRequests;

    /// <summary>Assumed <c>reqq</c> of a peer that does not say: a conservative guess.</summary>
    public const int DefaultMaxRequests = 250;

    public bool Snubbed { get; set; }

    public TimeSpan LastBlockAt { get; set; } = now;

    /// <summary>Payload bytes per second received from the peer, as the driver measured it.</summary>
    public long Rate { get; set; }
}
