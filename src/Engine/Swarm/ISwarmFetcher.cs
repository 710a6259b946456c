
namespace GitTorrent.Engine.Swarm;

/// <summary>Fetches the pack for one commit from the swarm and imports it (PROTOCOL.md section 4).</summary>
public interface ISwarmFetcher
{
    /// <summary>
    /// Tries the peers that announce <paramref name="commit"/> until one serves a pack that imports and
    /// verifies. Never throws for a peer's failure: the result lists what each peer did.
    /// </summary>
    Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, CancellationToken cancellationToken);
}

/// <summary>Outcome of a swarm fetch: success, the peers that served bytes, and what went wrong with the others.</summary>
public sealed record SwarmFetchResult(bool Success, long PackBytes, IReadOnlyList<string> ServedBy, IReadOnlyList<string> Failures)
{
    /// <summary>The pack torrent that was imported, on success.</summary>
    public Hash20? InfoHash { get; init; }

    /// <summary>The <c>.keep</c> file of a full pack checked to be self-contained and connected (see <see cref="Git.PackImportResult.KeepFile"/>).</summary>
    public string? KeepFile { get; init; }

    /// <summary>Where the time went: finding and asking peers, downloading, importing.</summary>
    public string? Timings { get; init; }
}
