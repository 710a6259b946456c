using System.Collections.Concurrent;
using System.Threading.Channels;
using GitTorrent.Data.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitTorrent.Indexer.Jobs;

/// <summary>
/// Runs leased jobs for this process (one holder per process: <c>replica#pid</c>). The one routine every kind of
/// background work goes through: <see cref="RunDueAsync"/> claims due jobs, renews their leases every
/// <see cref="JobOptions.RenewInterval"/> while the handler runs, cancels the handler if a lease is lost (another
/// replica took the job over after a stall), and records each outcome. At most hourly it also prunes old runs.
/// </summary>
public sealed partial class JobRunner(JobStore store, IOptions<JobOptions> options, TimeProvider time, ILogger<JobRunner> logger)
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _pruned = DateTimeOffset.MinValue;
    private readonly ConcurrentDictionary<string, Channel<bool>> _wakeups = new(StringComparer.Ordinal);
    private long _claimed;
    private long _takenOver;
    private long _lost;
    private long _failed;
    private readonly ConcurrentDictionary<string, long[]> _byKind = new(StringComparer.Ordinal); // runs, errors, elapsed ticks

    public string Replica { get; } = options.Value.Replica ?? Environment.MachineName;

    /// <summary>This process as a lease holder.</summary>
    public string Holder => Replica + "#" + Environment.ProcessId;

    public JobStore Store => store;

    /// <summary>Jobs claimed, of those taken over from a dead holder, leases lost while running, and failed runs, since start.</summary>
    public (long Claimed, long TakenOver, long Lost, long Failed) Counters =>
        (Interlocked.Read(ref _claimed), Interlocked.Read(ref _takenOver), Interlocked.Read(ref _lost), Interlocked.Read(ref _failed));

    /// <summary>Per kind: jobs run, failed, and the time their handlers took (for <c>/metrics</c>).</summary>
    public IReadOnlyList<JobKindStatistics> KindStatistics =>
        [.. _byKind.Select(k => new JobKindStatistics(k.Key, Interlocked.Read(ref k.Value[0]), Interlocked.Read(ref k.Value[1]),
            TimeSpan.FromTicks(Interlocked.Read(ref k.Value[2])).TotalSeconds))];

    /// <summary>
    /// The loop of a kind whose jobs follow rows of the database (one per mirror, say): until stopped, <paramref name="plan"/>
    /// creates and drops jobs, every due job runs one at a time, then the loop waits for <see cref="Wake"/> or
    /// <paramref name="poll"/>. A round that throws goes to <paramref name="failed"/> and the loop goes on.
    /// </summary>
    public async Task RunPlannedAsync(string kind, Func<CancellationToken, Task> plan, Func<JobLease, CancellationToken, Task<JobOutcome>> run,
        TimeSpan poll, Action<Exception> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(failed);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await plan(cancellationToken).ConfigureAwait(false);
                while (await RunOneAsync(kind, run, cancellationToken).ConfigureAwait(false))
                {
                    // Drain what is due.
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(e);
            }

            await WaitForWorkAsync(kind, poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims one due job of <paramref name="kind"/> and runs it; returns false when none was due.</summary>
    public async Task<bool> RunOneAsync(string kind, Func<JobLease, CancellationToken, Task<JobOutcome>> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return await RunDueAsync(kind, 1, async (leases, ct) =>
            new Dictionary<long, JobOutcome> { [leases[0].JobId] = await run(leases[0], ct).ConfigureAwait(false) },
            cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due jobs of <paramref name="kind"/> and runs them as one batch. The handler
    /// returns an outcome per job id; a job it leaves out, or a handler that throws, fails with a retry after
    /// <see cref="RetryDelay"/>. Returns how many jobs were claimed.
    /// </summary>
    public async Task<int> RunDueAsync(string kind, int max,
        Func<IReadOnlyList<JobLease>, CancellationToken, Task<IReadOnlyDictionary<long, JobOutcome>>> run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await PruneAsync(cancellationToken).ConfigureAwait(false);
        var leases = await store.ClaimAsync(kind, Holder, Replica, max, cancellationToken).ConfigureAwait(false);
        if (leases.Count == 0)
        {
            return 0;
        }

        Interlocked.Add(ref _claimed, leases.Count);
        foreach (var lease in leases.Where(l => l.TakenOverFrom is not null))
        {
            Interlocked.Increment(ref _takenOver);
            LogTakenOver(lease.Kind, lease.Key, lease.TakenOverFrom!);
        }

        var held = new ConcurrentDictionary<long, JobLease>(leases.Select(l => KeyValuePair.Create(l.JobId, l)));
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(held, leaseLost, stopRenewing.Token);
        var started = time.GetTimestamp();
        IReadOnlyDictionary<long, JobOutcome> outcomes;
        try
        {
            outcomes = await run(leases, leaseLost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand the jobs back at once (due now) rather than making another replica wait for the lease.
            outcomes = leases.ToDictionary(l => l.JobId, _ => new JobOutcome(time.GetUtcNow(), "interrupted: the process stopped"));
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            outcomes = new Dictionary<long, JobOutcome>();
        }
        catch (Exception e)
        {
            LogHandlerFailed(kind, e);
            outcomes = leases.ToDictionary(l => l.JobId, l => new JobOutcome(time.GetUtcNow() + RetryDelay(l.Attempts), e.Message));
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }

        var kindCounters = _byKind.GetOrAdd(kind, _ => new long[3]);
        Interlocked.Add(ref kindCounters[0], leases.Count);
        Interlocked.Add(ref kindCounters[2], time.GetElapsedTime(started).Ticks);

        // Shutdown must not stop the bookkeeping of work already done: a short deadline of its own.
        using var completing = new CancellationTokenSource(options.Value.LeaseDuration);
        foreach (var lease in held.Values)
        {
            var outcome = outcomes.TryGetValue(lease.JobId, out var o)
                ? o
                : new JobOutcome(time.GetUtcNow() + RetryDelay(lease.Attempts), "the handler returned no outcome");
            if (!outcome.Succeeded)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.Increment(ref kindCounters[1]);
            }

            if (!await store.CompleteAsync(lease, outcome, completing.Token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _lost);
                LogLeaseLost(lease.Kind, lease.Key);
            }
        }

        return leases.Count;
    }

    /// <summary>The wait before a failed job runs again: 30 s doubling per consecutive attempt, at most 1 h.</summary>
    public static TimeSpan RetryDelay(int attempts) => Backoff(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1), attempts);

    /// <summary>
    /// Exponential backoff over consecutive failed attempts (this one included): <paramref name="initial"/> after the
    /// first, doubling with each, at most <paramref name="max"/>.
    /// </summary>
    public static TimeSpan Backoff(TimeSpan initial, TimeSpan max, int attempts) =>
        TimeSpan.FromTicks(Math.Min(max.Ticks, initial.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    /// <summary>Wakes the loop waiting for <paramref name="kind"/> in this process (a mirror was added, "sync now").</summary>
    public void Wake(string kind) => Wakeups(kind).Writer.TryWrite(true);

    /// <summary>Waits for <see cref="Wake"/> of <paramref name="kind"/> or for <paramref name="poll"/> (default <see cref="JobOptions.PollInterval"/>).</summary>
    public async Task WaitForWorkAsync(string kind, TimeSpan? poll, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(poll ?? options.Value.PollInterval);
        try
        {
            await Wakeups(kind).Reader.ReadAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _pruned < PruneInterval)
        {
            return;
        }

        _pruned = now;
        try
        {
            var pruned = await store.PruneRunsAsync(cancellationToken).ConfigureAwait(false);
            if (pruned > 0)
            {
                LogPruned(pruned);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPruneFailed(e.Message);
        }
    }

    private Channel<bool> Wakeups(string kind) =>
        _wakeups.GetOrAdd(kind, _ => Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite }));

    private async Task RenewAsync(ConcurrentDictionary<long, JobLease> held, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        var interval = options.Value.RenewInterval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stop).ConfigureAwait(false);
                var lost = await store.RenewAsync([.. held.Keys], Holder, stop).ConfigureAwait(false);
                if (lost.Count > 0)
                {
                    foreach (var id in lost)
                    {
                        if (held.TryRemove(id, out var lease))
                        {
                            Interlocked.Increment(ref _lost);
                            LogLeaseLost(lease.Kind, lease.Key);
                        }
                    }

                    await leaseLost.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database did not answer: keep trying; if the lease runs out meanwhile another replica takes over
                // and this run's completion is refused.
                LogRenewFailed(e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Kind} {Key}: took over from {Holder}, whose lease had expired")]
    private partial void LogTakenOver(string kind, string key, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Kind} {Key}: lease lost (another replica took it over); this run's result is dropped")]
    private partial void LogLeaseLost(string kind, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Kind}: handler failed")]
    private partial void LogHandlerFailed(string kind, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job lease renewal failed: {Reason}")]
    private partial void LogRenewFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} old job runs")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning job runs failed: {Reason}")]
    private partial void LogPruneFailed(string reason);
}
