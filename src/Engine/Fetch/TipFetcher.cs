using System.Collections.Concurrent;
using System.Threading.Channels;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Fetch;

/// <summary>
/// Fetches a set of tips into a git directory: the one routine behind <c>git clone</c>/<c>git fetch</c> with the
/// remote helper and the portal's fetches of crawled repositories, so both send the same requests for the same state.
/// The decisions are <see cref="TipFetchMachine"/>'s; this runs its commands (swarm fetches in parallel, object checks,
/// the origin) and feeds their outcomes and the clock back, one at a time.
/// </summary>
/// <param name="swarm">Where packs come from; null = no swarm (every request fails at once).</param>
/// <param name="origin">The origin for what the swarm cannot serve; null = none (key and name forms).</param>
public sealed class TipFetcher(ISwarmFetcher? swarm, IOriginFetcher? origin, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Brings <paramref name="tips"/> into <paramref name="gitDirectory"/> (objects only: the caller writes refs).</summary>
    /// <param name="headRef">The ref HEAD names (asked for first), when known.</param>
    public async Task<TipFetchResult> FetchAsync(string gitDirectory, IReadOnlyList<FetchTip> tips, string? headRef,
        TipFetchOptions options, IProgress<FetchReport>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tips);
        ArgumentNullException.ThrowIfNull(options);
        var localTips = LocalTipsAsync(gitDirectory, cancellationToken);
        var present = GitRefs.ObjectTypesAsync(gitDirectory, [.. tips.Select(t => t.Commit).Concat(tips.Select(t => t.Object)).Distinct()],
            cancellationToken);
        await Task.WhenAll(localTips, present).ConfigureAwait(false);
        var machine = new TipFetchMachine(tips, headRef, await localTips.ConfigureAwait(false), (await present.ConfigureAwait(false)).Keys,
            options, origin?.Name, NowMs());
        var run = new Run(_time, NowMs, swarm, origin, gitDirectory, progress, options.ReservePackSpace, cancellationToken);
        try
        {
            var commands = machine.Start();
            while (true)
            {
                foreach (var command in commands)
                {
                    run.Execute(command);
                }
                if (machine.Outcome is { } outcome)
                {
                    await run.StopAsync().ConfigureAwait(false);
                    if (!outcome.Success)
                    {
                        run.DeleteKeeps();
                    }
                    return new TipFetchResult(outcome, outcome.Success ? [.. run.Keeps] : [], run.Connected);
                }
                var next = await run.NextAsync(machine.WakeAtMs).ConfigureAwait(false);
                commands = next is null ? machine.Tick(NowMs()) : machine.Handle(next, NowMs());
            }
        }
        catch
        {
            await run.StopAsync().ConfigureAwait(false);
            run.DeleteKeeps();
            throw;
        }
    }

    private long NowMs() => (long)_time.GetElapsedTime(0).TotalMilliseconds;

    /// <summary>The repository's commits at its refs, newest first (the candidates for haves).</summary>
    private static async Task<List<Hash20>> LocalTipsAsync(string gitDirectory, CancellationToken cancellationToken)
    {
        var output = await GitRunner.RunAsync(gitDirectory,
            ["for-each-ref", "--sort=-committerdate", "--format=%(objectname) %(objecttype)", "refs/"], cancellationToken)
            .ConfigureAwait(false);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(p => p.Length == 2 && p[1] == "commit")
            .Select(p => Hash20.Parse(p[0]))
            .Distinct()
            .Take(TipFetchOptions.HavesSent)];
    }

    /// <summary>One fetch's I/O: commands running, the events they send back, and what they left on disk.</summary>
    private sealed class Run(TimeProvider time, Func<long> nowMs, ISwarmFetcher? swarm, IOriginFetcher? origin, string gitDirectory,
        IProgress<FetchReport>? progress, Func<long, IDisposable?>? reservePackSpace, CancellationToken cancellationToken)
    {
        private readonly Channel<FetchEvent> _events = Channel.CreateUnbounded<FetchEvent>();
        private readonly ConcurrentDictionary<int, CancellationTokenSource> _giveUps = new();
        private readonly List<Task> _running = [];
        private readonly TaskCompletionSource<Exception> _fault = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> _keeps = new();
        private int _connected = 1;

        public IEnumerable<string> Keeps => _keeps;

        public bool Connected => Volatile.Read(ref _connected) == 1;

        public void Execute(FetchCommand command)
        {
            switch (command)
            {
                case AskForPack ask:
                    var giveUp = new CancellationTokenSource();
                    _giveUps[ask.Request] = giveUp;
                    Start(() => AskAsync(ask, giveUp.Token));
                    break;
                case GiveUpPack stop when _giveUps.TryGetValue(stop.Request, out var source):
                    source.Cancel();
                    break;
                case CheckObjects check:
                    Start(async () =>
                    {
                        var types = await GitRefs.ObjectTypesAsync(gitDirectory, check.Ids.ToList(), cancellationToken).ConfigureAwait(false);
                        Post(new ObjectsChecked(types.Keys.ToHashSet()));
                    });
                    break;
                case FetchFromOrigin fetch:
                    Start(() => FetchFromOriginAsync(fetch));
                    break;
                case ReportProgress report:
                    progress?.Report(report.Report);
                    break;
            }
        }

        /// <summary>The next event, or null when <paramref name="wakeAtMs"/> came first (the machine's clock tick).</summary>
        public async Task<FetchEvent?> NextAsync(long? wakeAtMs)
        {
            while (true)
            {
                if (_events.Reader.TryRead(out var ready))
                {
                    return ready;
                }
                if (_fault.Task.IsCompleted)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(await _fault.Task.ConfigureAwait(false));
                }
                cancellationToken.ThrowIfCancellationRequested();
                if (wakeAtMs is { } at && at <= nowMs())
                {
                    return null;
                }
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var waits = new List<Task> { _events.Reader.WaitToReadAsync(wake.Token).AsTask(), _fault.Task };
                if (wakeAtMs is { } due)
                {
                    waits.Add(Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, due - nowMs())), time, wake.Token));
                }
                await Task.WhenAny(waits).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Gives up every request still running and waits for all commands to end.</summary>
        public async Task StopAsync()
        {
            foreach (var giveUp in _giveUps.Values)
            {
                await giveUp.CancelAsync().ConfigureAwait(false);
            }
            try
            {
                await Task.WhenAll(_running).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or GitTorrentException or IOException)
            {
                // Already reported through the fault, or the fetch was cancelled.
            }
            foreach (var giveUp in _giveUps.Values)
            {
                giveUp.Dispose();
            }
        }

        public void DeleteKeeps()
        {
            while (_keeps.TryDequeue(out var keep))
            {
                try
                {
                    File.Delete(keep);
                }
                catch (IOException)
                {
                    // Left behind: git only keeps the pack longer.
                }
            }
        }

        private void Start(Func<Task> work)
        {
            var task = Task.Run(async () =>
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The whole fetch was cancelled: NextAsync throws.
                }
                catch (Exception e)
                {
                    _fault.TrySetResult(e);
                }
            }, CancellationToken.None);
            _running.Add(task);
        }

        private void Post(FetchEvent fetchEvent) => _events.Writer.TryWrite(fetchEvent);

        private async Task AskAsync(AskForPack ask, CancellationToken giveUp)
        {
            SwarmFetchResult result;
            if (swarm is { } fetcher)
            {
                var options = new SwarmFetchOptions(ask.KnownPeers, Quiet: !ask.Shown)
                {
                    MoreWants = ask.Wants,
                    LookUp = ask.LookUp,
                    GiveUp = giveUp,
                    ReservePackSpace = reservePackSpace,
                    PeerReached = () => Post(new PeerReached(ask.Request)),
                    Progress = ask.Shown && progress is not null
                        ? new Progress<DownloadProgress>(p => progress.Report(
                            new FetchReport(FetchReportKind.Download, "Receiving pack", p.VerifiedBytes, p.HasMetadata ? p.TotalBytes : 0) { Peers = p.Peers }))
                        : null,
                };
                try
                {
                    result = await fetcher.FetchAsync(ask.Sha, ask.Haves, gitDirectory, options, cancellationToken).ConfigureAwait(false);
                }
                catch (GitTorrentException e)
                {
                    result = new SwarmFetchResult(false, 0, [], [e.Message]);
                }
            }
            else
            {
                result = new SwarmFetchResult(false, 0, [], ["no swarm available"]);
            }
            if (result.KeepFile is { } keep)
            {
                _keeps.Enqueue(keep);
            }
            var present = result.Success
                ? (await GitRefs.ObjectTypesAsync(gitDirectory, [ask.Sha, .. ask.Wants], cancellationToken).ConfigureAwait(false)).Keys.ToHashSet()
                : [];
            Post(new PackFetched(ask.Request, result, present));
        }

        private async Task FetchFromOriginAsync(FetchFromOrigin fetch)
        {
            if (origin is not { } source)
            {
                Post(new OriginFetched("there is no origin"));
                return;
            }
            try
            {
                var fetched = await source.FetchAsync(gitDirectory, fetch.RefNames, cancellationToken).ConfigureAwait(false);
                if (fetched.KeepFile is { } keep)
                {
                    _keeps.Enqueue(keep);
                }
                if (!fetched.Connected)
                {
                    Volatile.Write(ref _connected, 0);
                }
                Post(new OriginFetched(null));
            }
            catch (GitTorrentException e)
            {
                Volatile.Write(ref _connected, 0);
                Post(new OriginFetched(e.Message));
            }
        }
    }
}
