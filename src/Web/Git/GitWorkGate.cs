using System.Net;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// Runs the expensive browsing work (blame, file history, code search, the file finder, last-commit columns):
/// <list type="bullet">
/// <item>one run per key at a time, shared by every request that asks for it meanwhile (joining costs nothing);</item>
/// <item>at most <see cref="BrowseOptions.MaxGitCommands"/> runs at once portal-wide; more wait, at most
/// <see cref="BrowseOptions.MaxGitCommandQueue"/> of them (past it: <see cref="GitWorkStop.ServerBusy"/>);</item>
/// <item>at most <see cref="BrowseOptions.MaxGitCommandsPerClient"/> runs started by one client address running or
/// waiting (past it: <see cref="GitWorkStop.ClientBusy"/>), so one address cannot take every slot;</item>
/// <item>each run under <see cref="BrowseOptions.GitCommandTimeout"/> from when it gets its slot.</item>
/// </list>
/// A run's token is its timeout, not a requester's: once started it finishes for whoever asks next (and is counted
/// against the address that started it until then). A run still waiting for a slot when every requester has left is
/// dropped. Queued, refused and timed-out runs are counted in <see cref="BrowseStatistics"/>.
/// </summary>
public sealed class GitWorkGate(IOptions<BrowseOptions> options, BrowseStatistics statistics)
{
    private readonly BrowseOptions limits = options.Value;
    private readonly SemaphoreSlim slots = new(options.Value.MaxGitCommands);
    private readonly Lock sync = new();
    private readonly Dictionary<object, Run> running = [];
    private readonly Dictionary<IPAddress, int> perClient = [];
    private int waiting;

    /// <summary>Runs started and not finished (running or waiting for a slot), for tests and diagnostics.</summary>
    public int Pending
    {
        get
        {
            lock (sync)
            {
                return running.Count;
            }
        }
    }

    /// <summary>
    /// The result of the run for <paramref name="key"/> (this request's or one already under way), or
    /// <paramref name="refused"/>'s when the client or the portal has too many runs already. The work gets a token
    /// that fires at its timeout; it returns what it has by then.
    /// </summary>
    public async Task<T> RunAsync<T>(object key, IPAddress? client, Func<CancellationToken, Task<T>> work, Func<GitWorkStop, T> refused,
        CancellationToken cancellationToken)
    {
        var address = client ?? IPAddress.None;
        Run run;
        lock (sync)
        {
            if (running.TryGetValue(key, out var existing))
            {
                run = existing;
            }
            else
            {
                var stop = perClient.GetValueOrDefault(address) >= limits.MaxGitCommandsPerClient ? GitWorkStop.ClientBusy
                    : slots.CurrentCount == 0 && waiting >= limits.MaxGitCommandQueue ? GitWorkStop.ServerBusy
                    : GitWorkStop.None;
                if (stop != GitWorkStop.None)
                {
                    statistics.CountRefused(stop);
                    return refused(stop);
                }

                run = new Run(address);
                running[key] = run;
                perClient[address] = perClient.GetValueOrDefault(address) + 1;
                run.Task = Task.Run(() => RunGatedAsync(key, run, work), CancellationToken.None);
            }

            run.Waiters++;
        }

        try
        {
            return (T)(await run.Task!.WaitAsync(cancellationToken))!;
        }
        finally
        {
            lock (sync)
            {
                run.Waiters--;
                if (run.Waiters == 0 && !run.HasSlot)
                {
                    // Nobody waits for it any more and it has not started: drop it, and its place in the line at once
                    // (its own finally releases the rest).
                    run.Abandoned.Cancel();
                    Unqueue(run);
                    Forget(key, run);
                }
            }
        }
    }

    private async Task<object?> RunGatedAsync<T>(object key, Run run, Func<CancellationToken, Task<T>> work)
    {
        try
        {
            if (!slots.Wait(0))
            {
                lock (sync)
                {
                    if (run.Abandoned.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(run.Abandoned.Token);
                    }

                    waiting++;
                    run.Queued = true;
                }

                statistics.CountQueued();
                await slots.WaitAsync(run.Abandoned.Token);
            }

            lock (sync)
            {
                Unqueue(run);
                if (run.Abandoned.IsCancellationRequested)
                {
                    slots.Release();
                    throw new OperationCanceledException(run.Abandoned.Token);
                }

                run.HasSlot = true;
            }

            try
            {
                using var deadline = new CancellationTokenSource(limits.GitCommandTimeout);
                var result = await work(deadline.Token);
                if (deadline.IsCancellationRequested)
                {
                    statistics.CountTimedOut();
                }

                return result;
            }
            finally
            {
                slots.Release();
            }
        }
        finally
        {
            lock (sync)
            {
                Unqueue(run);
                Forget(key, run);
            }
        }
    }

    /// <summary>Gives up a run's place in the waiting line, once (under <see cref="sync"/>).</summary>
    private void Unqueue(Run run)
    {
        if (run.Queued)
        {
            run.Queued = false;
            waiting--;
        }
    }

    /// <summary>Removes a run from the table and its address's count, once (under <see cref="sync"/>).</summary>
    private void Forget(object key, Run run)
    {
        if (run.Forgotten)
        {
            return;
        }

        run.Forgotten = true;
        if (running.TryGetValue(key, out var current) && current == run)
        {
            running.Remove(key);
        }

        var left = perClient.GetValueOrDefault(run.Client) - 1;
        if (left <= 0)
        {
            perClient.Remove(run.Client);
        }
        else
        {
            perClient[run.Client] = left;
        }
    }

    private sealed class Run(IPAddress client)
    {
        public IPAddress Client { get; } = client;

        public CancellationTokenSource Abandoned { get; } = new();

        public Task<object?>? Task { get; set; }

        public int Waiters { get; set; }

        public bool HasSlot { get; set; }

        /// <summary>Counted in the waiting line.</summary>
        public bool Queued { get; set; }

        public bool Forgotten { get; set; }
    }
}
