namespace GitTorrent.Engine.Git;

/// <summary>
/// What a <see cref="PackCache"/> has done: builds started, running now and at most at once, requests that joined a build
/// under way or found their pack cached, builds cancelled because nobody waited any more, builds refused by the global
/// and the per-address bound or stopped by the size bound, packs evicted, packs held and bytes charged now.
/// </summary>
public sealed record PackCacheStatistics(long BuildsStarted, int BuildsRunning, int PeakBuildsRunning, long BuildsShared, long CacheHits,
    long BuildsCancelled, long RefusedGlobal, long RefusedPerAddress, long RefusedTooLarge, long Evicted, int Packs, long UsedBytes);
