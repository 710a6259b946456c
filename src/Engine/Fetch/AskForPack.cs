using System.Net;

namespace GitTorrent.Engine.Fetch;

/// <summary>
/// Ask the swarm for one pack holding <paramref name="Sha"/> (and what it has of <paramref name="Wants"/>), import it,
/// and answer <see cref="PackFetched"/> (after <see cref="PeerReached"/> when a peer is reached). The request on the
/// wire is exactly (<paramref name="Sha"/>, <paramref name="Haves"/>, <paramref name="Wants"/>): two clients in the same
/// state send the same bytes, so a seeder serves both from one cached pack.
/// </summary>
/// <param name="Request">Number of this request within the fetch.</param>
/// <param name="KnownPeers">Peers that served this fetch before, asked first.</param>
/// <param name="LookUp">Whether the DHT (and configured extra peers) may be asked; false = known peers only.</param>
/// <param name="Shown">Whether its download progress is shown (a clone's large packs), or quiet (one tip of many).</param>
public sealed record AskForPack(int Request, Hash20 Sha, IReadOnlyList<Hash20> Wants, IReadOnlyList<Hash20> Haves,
    IReadOnlyList<IPEndPoint> KnownPeers, bool LookUp, bool Shown) : FetchCommand;
