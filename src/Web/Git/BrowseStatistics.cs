using GitTorrent.Engine.Base;

namespace GitTorrent.Web.Git;

/// <summary>
/// Counts every time a browsing bound bites (expensive git work queued, refused or timed out, output cut, archives
/// refused), portal-wide since start, and logs it through the <see cref="LimitLog"/> (a limit's first bite at once,
/// then at most one line every <see cref="LimitLog.Interval"/> summing the bites since), so a flood cannot flood the
/// log. Read-only properties for /metrics.
/// </summary>
public sealed class BrowseStatistics(ILogger<BrowseStatistics> logger, TimeProvider timeProvider)
{
    private readonly LimitLog log = new(logger, timeProvider);
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

    internal void CountQueued() => log.Bit(ref gitWorkQueued, "Browse:MaxGitCommands (queued)");

    internal void CountRefused(GitWorkStop stop)
    {
        if (stop == GitWorkStop.ClientBusy)
        {
            log.Bit(ref gitWorkRefusedPerClient, "Browse:MaxGitCommandsPerClient");
        }
        else
        {
            log.Bit(ref gitWorkRefusedQueueFull, "Browse:MaxGitCommandQueue");
        }
    }

    internal void CountTimedOut() => log.Bit(ref gitWorkTimedOut, "Browse:GitCommandTimeout");

    internal void CountOutputCapped() => log.Bit(ref gitOutputCapped, "Browse:MaxGitOutputBytes");

    internal void CountArchiveRefused(bool perClient)
    {
        if (perClient)
        {
            log.Bit(ref archivesRefusedPerClient, "Browse:MaxArchivesPerClient");
        }
        else
        {
            log.Bit(ref archivesRefusedTotal, "Browse:MaxArchives");
        }
    }
}
