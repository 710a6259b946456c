namespace GitTorrent.Engine.Fetch;

/// <summary>Fetches the pack for one commit from the swarm and imports it (docs/PROTOCOL.md section 4).</summary>
public interface ISwarmFetcher
{
    /// <summary>
    /// Tries the peers that announce <paramref name="commit"/> until one serves a pack that imports and
    /// verifies. Never throws for a peer's failure: the result lists what each peer did.
    /// </summary>
    Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, CancellationToken cancellationToken);

    /// <summary>
    /// The same with <paramref name="options"/>: peers to ask first (or only), more commits for the same pack, progress,
    /// and a way to give up early that still returns what was tried.
    /// </summary>
    Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, SwarmFetchOptions options,
        CancellationToken cancellationToken);
}
