namespace GitTorrent.Engine.Fetch;

/// <summary>
/// The origin of a host-form URL, for what the swarm cannot serve: fetched with the real git (the engine knows nothing
/// of the transport; the remote helper provides it).
/// </summary>
public interface IOriginFetcher
{
    /// <summary>How messages name the origin (its URL).</summary>
    string Name { get; }

    /// <summary>
    /// Brings the objects of <paramref name="refNames"/> (as the origin advertised them) into
    /// <paramref name="gitDirectory"/> in one fetch; no ref is written. Throws <see cref="GitTorrentException"/> when
    /// the origin fails.
    /// </summary>
    Task<OriginFetchResult> FetchAsync(string gitDirectory, IReadOnlyList<string> refNames, CancellationToken cancellationToken);
}
