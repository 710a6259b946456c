namespace GitTorrent.Engine.Fetch;

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

    /// <summary>Peers the DHT lookup found (0 when it found none: nobody announces the commit).</summary>
    public int PeersFound { get; init; }
}
