using System.Collections.Concurrent;
using GitTorrent.Engine.Swarm;

namespace GitTorrent.Web.Git;

/// <summary>
/// Counts every time a browsing bound bites (expensive git work queued, refused or timed out, output cut, archives
/// refused), portal-wide since start, and logs it through a <see cref="LimitLog"/> per limit (its first bite at once,
/// then at most one line every <see cref="LimitLog.Interval"/> summing the bites since), so a flood cannot flood the
/// log. Read-only properties for /metrics.
/// </summary>
public sealed class BrowseStatistics(ILogger<BrowseStatistics> logger, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, LimitLog> logs = new(StringComparer.Ordinal);
    private long gitWorkQueued;
    private long gitWorkRefusedPerClient;
    private long gitWorkRefusedQueueFull;
    private long gitWorkTimedOut;
    private long gitOutputCapped;
    private long archivesRefusedPerClient;
    private long archivesRefusedTotal;

    /// <summary>Expensive works (blame, history, code search, finder, last-commit walk) that found every slot taken and waited.</summary>
    public long GitWorkQueued => Interlocked.Read(ref gitWorkQueued);

    /// <summary>Works refused because their client address had <see cref="BrowseOptions.MaxGitCommandsPerClient"/> already.</summary>
    public long GitWorkRefusedPerClient => Interlocked.Read(ref gitWorkRefusedPerClient);

    /// <summary>Works refused because <see cref="BrowseOptions.MaxGitCommandQueue"/> works were waiting already.</summary>
    public long GitWorkRefusedQueueFull => Interlocked.Read(ref gitWorkRefusedQueueFull);

    /// <summary>Works stopped by <see cref="BrowseOptions.GitCommandTimeout"/>.</summary>
    public long GitWorkTimedOut => Interlocked.Read(ref gitWorkTimedOut);

    /// <summary>git commands stopped by <see cref="BrowseOptions.MaxGitOutputBytes"/>.</summary>
    public long GitOutputCapped => Interlocked.Read(ref gitOutputCapped);

    /// <summary>Archives refused with 429 (<see cref="BrowseOptions.MaxArchivesPerClient"/>).</summary>
    public long ArchivesRefusedPerClient => Interlocked.Read(ref archivesRefusedPerClient);

    /// <summary>Archives refused with 503 (<see cref="BrowseOptions.MaxArchives"/>).</summary>
    public long ArchivesRefusedTotal => Interlocked.Read(ref archivesRefusedTotal);

    internal void CountQueued() => Bit(ref gitWorkQueued, "Browse:MaxGitCommands (queued)");

    internal void CountRefused(GitWorkStop stop)
    {
        if (stop == GitWorkStop.ClientBusy)
        {
            Bit(ref gitWorkRefusedPerClient, "Browse:MaxGitCommandsPerClient");
        }
        else
        {
            Bit(ref gitWorkRefusedQueueFull, "Browse:MaxGitCommandQueue");
        }
    }

    internal void CountTimedOut() => Bit(ref gitWorkTimedOut, "Browse:GitCommandTimeout");

    internal void CountOutputCapped() => Bit(ref gitOutputCapped, "Browse:MaxGitOutputBytes");

    internal void CountArchiveRefused(bool perClient)
    {
        if (perClient)
        {
            Bit(ref archivesRefusedPerClient, "Browse:MaxArchivesPerClient");
        }
        else
        {
            Bit(ref archivesRefusedTotal, "Browse:MaxArchives");
        }
    }

    private void Bit(ref long counter, string limit)
    {
        Interlocked.Increment(ref counter);
        logs.GetOrAdd(limit, _ => new LimitLog(logger, timeProvider)).Bit(limit);
    }
}
