namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>The seeder side of ut_gittorrent: turns "I want commit X, I have Y…" into a seeded pack torrent.</summary>
public interface IGitTorrentPackProvider
{
    /// <summary>
    /// Builds or reuses the pack for <paramref name="want"/> minus <paramref name="haves"/>, makes sure its torrent
    /// is seeded and announced, and returns its infohash. Throws <see cref="GitTorrentException"/> with a reason
    /// the client can read when the commit cannot be served.
    /// </summary>
    Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken);

    /// <summary>
    /// The same for a request that also names <paramref name="moreWants"/> (docs/PROTOCOL.md section 4, ours): one pack for
    /// <paramref name="want"/> and those of them the provider has. A provider that does not override this serves
    /// <paramref name="want"/> alone, as the original seeders do; the client asks for the rest one by one.
    /// </summary>
    Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
        CancellationToken cancellationToken) => GetPackInfoHashAsync(want, haves, cancellationToken);

    /// <summary>
    /// The same, knowing who asks: a provider bounds the work it does for one <paramref name="requester"/> address (and
    /// throws <see cref="Git.PackBuildRefusedException"/> beyond it, which the requester hears as "busy").
    /// </summary>
    Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
        System.Net.IPAddress requester, CancellationToken cancellationToken) => GetPackInfoHashAsync(want, moreWants, haves, cancellationToken);
}
