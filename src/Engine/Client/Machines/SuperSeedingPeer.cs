using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="SuperSeedingMachine{TPeer}"/> knows of one peer.</summary>
internal sealed class SuperSeedingPeer(Bitfield has)
{
    /// <summary>The peer's pieces: the driver's bitfield, read here, never written.</summary>
    public Bitfield Has { get; set; } = has;

    /// <summary>The driver sent the handshakes: the peer may be shown pieces (BEP 3: haves after the handshake).</summary>
    public bool Ready { get; set; }

    /// <summary>Pieces shown to the peer that it has not yet passed on.</summary>
    public HashSet<int> Revealed { get; } = [];

    /// <summary>Adaptive seeding: since when the peer has had nothing to fetch from us (null = it has).</summary>
    public TimeSpan? BlockedSince { get; set; }

    /// <summary>
    /// Adaptive seeding: it had nothing to fetch from us and got no piece from anybody else for a while, so it is
    /// served pieces others have too; cleared by the next piece it gets elsewhere.
    /// </summary>
    public bool Starving { get; set; }
}
