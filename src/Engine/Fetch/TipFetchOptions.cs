using System.ComponentModel.DataAnnotations;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Fetch;

/// <summary>How a fetch of tips (<see cref="TipFetcher"/>) uses the swarm.</summary>
public sealed record TipFetchOptions
{
    /// <summary>The default of <see cref="SwarmTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSwarmTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Haves sent with each request: the first tip this fetch brought, then the newest local tips. The protocol allows
    /// <see cref="GitTorrentMessage.MaxHaves"/>, but each costs the seeder (and our verification) a walk of its tree, and
    /// older tips rarely spare objects the newer ones do not.
    /// </summary>
    public const int HavesSent = 32;

    /// <summary>
    /// How long the swarm may take to produce a peer for the first tip (found in the DHT and reached) before the fetch
    /// stops looking: the host form then fetches everything missing from the origin, the key and name forms fail,
    /// naming the commit and what was tried. It counts from the start of the fetch (joining the DHT included). A peer
    /// that was reached has its ask timeout to answer, and a download its stall timeout, whatever this says.
    /// Default 3 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SwarmTimeout { get; init; } = DefaultSwarmTimeout;

    /// <summary>
    /// Packs fetched at once after the first ones, one tip each (for a seeder that ignores want lists). Their cost is
    /// mostly git on both ends, so more than two per core only adds contention (bench/Clone: 8 lanes 9.2 s, 4 lanes
    /// 8.2 s, 2 lanes 7.8 s on 2 cores); at least 4 keep round trips overlapping on a real network.
    /// </summary>
    [Range(1, 64)]
    public int ParallelFetches { get; init; } = Math.Clamp(2 * Environment.ProcessorCount, 4, 8);

    /// <summary>
    /// A quota asked before each pack is stored (<see cref="SwarmFetchOptions.ReservePackSpace"/>): the portal's per-user
    /// limit; null = none.
    /// </summary>
    public Func<long, IDisposable?>? ReservePackSpace { get; init; }
}
