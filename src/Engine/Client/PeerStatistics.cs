using System.Net;

namespace GitTorrent.Engine.Client;

/// <summary>Payload bytes exchanged with one connected peer.</summary>
public sealed record PeerStatistics(IPEndPoint EndPoint, Hash20 PeerId, string? Client, bool IsOutbound,
    long Uploaded, long Downloaded, bool AmChoking, bool PeerChoking, bool AmInterested, bool PeerInterested,
    bool IsSeed);
