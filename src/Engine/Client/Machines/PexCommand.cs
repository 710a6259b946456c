using System.Net;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Client.Machines;

/// <summary>One command of the <see cref="PeerExchangeMachine{TPeer}"/>: send a ut_pex message, or dial a peer heard of.</summary>
/// <param name="Peer">The peer to send <see cref="Message"/> to (<see cref="PexCommandKind.Send"/>).</param>
/// <param name="EndPoint">The endpoint to dial (<see cref="PexCommandKind.Dial"/>).</param>
/// <param name="Source">Who told us of <see cref="EndPoint"/> (null: heard before the metadata arrived).</param>
public readonly record struct PexCommand<TPeer>(PexCommandKind Kind, TPeer Peer, PexMessage? Message = null,
    IPEndPoint? EndPoint = null, IPEndPoint? Source = null);
