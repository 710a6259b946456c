using System.Net;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>What the <see cref="PeerExchangeMachine{TPeer}"/> knows of one peer.</summary>
internal sealed class PeerExchangePeer(IPEndPoint remote, bool outbound)
{
    public IPEndPoint Remote { get; } = remote;

    /// <summary>We dialled it: its listen endpoint is the one we reached (BEP 11 "connectable").</summary>
    public bool Outbound { get; } = outbound;

    /// <summary>Where it accepts connections: the dialled endpoint, or the port of its extension handshake.</summary>
    public IPEndPoint? Listen { get; set; }

    /// <summary>Its extension handshake named ut_pex.</summary>
    public bool SupportsPex { get; set; }

    /// <summary>Its pieces (the driver's bitfield, read for the seed flag, never written); null while unknown.</summary>
    public Bitfield? Has { get; set; }

    /// <summary>When we last sent it a message (null = never).</summary>
    public TimeSpan? SentAt { get; set; }

    /// <summary>What <see cref="SentAt"/> was before the last message (restored if the driver could not send it).</summary>
    public TimeSpan? SentBefore { get; set; }

    /// <summary>The endpoints it has been told about and not told dropped.</summary>
    public HashSet<IPEndPoint> Advertised { get; } = [];
}
