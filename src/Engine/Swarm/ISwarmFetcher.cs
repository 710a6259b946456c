
namespace GitTorrent.Engine.Swarm;

/// <summary>Fetches the pack for one commit from the swarm and imports it (PROTOCOL.md section 4).</summary>
public interface ISwarmFetcher
{
    /// <summary>
    /// Tries the peers that announce <paramref name="commit"/> until one serves a pack that imports and
    /// verifies. Never throws for a peer's failure: the result lists what each peer did.
    /// </summary>
    Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// The same, first asking <paramref name="options"/>' peers directly (no DHT lookup) and showing no per-pack
    /// progress when it says so; used for the many small packs that follow the first one of a clone.
    /// </summary>
    Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, SwarmFetchOptions options,
        CancellationToken cancellationToken);
}

/// <summary>How one swarm fetch may take shortcuts.</summary>
/// <param name="KnownPeers">
/// Peers that served this repository already (a clone's first pack): asked at once, before and instead of a DHT lookup.
/// Only when none of them serves the commit does the fetch look it up in the DHT.
/// </param>
/// <param name="Quiet">No per-pack download progress (the caller shows its own).</param>
public sealed record SwarmFetchOptions(IReadOnlyList<System.Net.IPEndPoint> KnownPeers, bool Quiet = false)
{
    /// <summary>
    /// More commits to ask for in the same pack (PROTOCOL.md section 4, <c>want</c>, ours): a clone's other tips. Only
    /// the fetched commit is checked and required; the caller looks up which of these arrived (a seeder may lack some
    /// or ignore the list).
    /// </summary>
    public IReadOnlyList<Hash20> MoreWants { get; init; } = [];

    /// <summary>
    /// Asked with a pack's size once its metadata arrived, before it is downloaded further (a quota): returns a
    /// reservation, disposed when the pack is imported or dropped, or null to refuse the pack (the fetch tries the next
    /// answer and reports why). Packs over <see cref="GitTorrentNodeOptions.MaxPackBytes"/> are refused before this.
    /// </summary>
    public Func<long, IDisposable?>? ReservePackSpace { get; init; }
}

/// <summary>Outcome of a swarm fetch: success, the peers that served bytes, and what went wrong with the others.</summary>
public sealed record SwarmFetchResult(bool Success, long PackBytes, IReadOnlyList<string> ServedBy, IReadOnlyList<string> Failures)
{
    /// <summary>The pack torrent that was imported, on success.</summary>
    public Hash20? InfoHash { get; init; }

    /// <summary>The <c>.keep</c> file of a full pack checked to be self-contained and connected (see <see cref="Git.PackImportResult.KeepFile"/>).</summary>
    public string? KeepFile { get; init; }

    /// <summary>The peers that answered with the imported pack's infohash, on success (to ask first next time).</summary>
    public IReadOnlyList<System.Net.IPEndPoint> Peers { get; init; } = [];

    /// <summary>Where the time went: finding and asking peers, downloading, importing.</summary>
    public string? Timings { get; init; }
}
