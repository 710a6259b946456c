using GitTorrent.Engine.Client;
using GitTorrent.Engine.Node;

namespace GitTorrent.Engine.Fetch;

/// <summary>How one swarm fetch finds its peers and what it reports.</summary>
/// <param name="KnownPeers">
/// Peers that served this repository already (a clone's first pack): asked at once, before and instead of a DHT lookup.
/// Only when none of them serves the commit does the fetch look it up in the DHT (unless <see cref="LookUp"/> is false).
/// </param>
/// <param name="Quiet">No per-pack download progress (the caller shows its own).</param>
public sealed record SwarmFetchOptions(IReadOnlyList<System.Net.IPEndPoint> KnownPeers, bool Quiet = false)
{
    /// <summary>
    /// More commits to ask for in the same pack (docs/PROTOCOL.md section 4, <c>want</c>, ours): a clone's other tips. Only
    /// the fetched commit is checked and required; the caller looks up which of these arrived (a seeder may lack some
    /// or ignore the list).
    /// </summary>
    public IReadOnlyList<Hash20> MoreWants { get; init; } = [];

    /// <summary>
    /// Whether to look the commit up in the DHT (and ask the configured extra peers) when <see cref="KnownPeers"/> do
    /// not serve it. False: the known peers only (the later packs of one fetch, which never look tips up one by one).
    /// </summary>
    public bool LookUp { get; init; } = true;

    /// <summary>Download progress of the pack (unless <see cref="Quiet"/>).</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }

    /// <summary>Called once, when the first peer is reached (connected and speaking the protocol).</summary>
    public Action? PeerReached { get; init; }

    /// <summary>
    /// When signalled, the fetch stops looking and asking and returns a failure listing what was tried so far (a pack
    /// already being imported is finished first). Cancelling the call's own token aborts it instead.
    /// </summary>
    public CancellationToken GiveUp { get; init; }

    /// <summary>
    /// Asked with a pack's size once its metadata arrived, before it is downloaded further (a quota): returns a
    /// reservation, disposed when the pack is imported or dropped, or null to refuse the pack (the fetch tries the next
    /// answer and reports why). Packs over <see cref="Node.GitTorrentNodeOptions.MaxPackBytes"/> are refused before this.
    /// </summary>
    public Func<long, IDisposable?>? ReservePackSpace { get; init; }
}
