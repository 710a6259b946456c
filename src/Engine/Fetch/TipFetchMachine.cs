using System.Net;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Fetch;

/// <summary>
/// The decisions of one clone or fetch of a set of tips, without I/O (the driver is <see cref="TipFetcher"/>). It asks
/// for all missing tips in as few packs as the swarm allows and decides once whether the swarm can serve them:
/// <list type="number">
/// <item>Lead: the first missing tip (HEAD's branch first, then branches, then tags) with up to
/// <see cref="GitTorrentMessage.MaxWants"/> others as <c>want</c>s, its peers found in the DHT. When no peer is reached
/// within <see cref="TipFetchOptions.SwarmTimeout"/>, the lookup finds nobody, or every peer found fails, the swarm
/// cannot serve this fetch: everything missing comes from the origin in one <c>git fetch</c> (host form), or the fetch
/// fails naming the commit and what was tried (key and name forms). No tip is ever looked up on its own.</item>
/// <item>Batches: while a pack brings more than its first tip, the next missing tip and the following wants, from the
/// peers that served (no lookup).</item>
/// <item>Lanes: a seeder that ignored the wants (the original one) or lacks them is asked for one remaining tip; if it
/// serves it, for the others one by one, <see cref="TipFetchOptions.ParallelFetches"/> at a time (branches, then the
/// tags still missing); if not, the rest goes to the origin at once (or the fetch fails).</item>
/// <item>Tag objects of annotated tags that no pack brought: from the origin, with whatever else it must send.</item>
/// </list>
/// Inputs are <see cref="Start"/>, <see cref="Handle"/> and <see cref="Tick"/>; each returns the commands to run.
/// </summary>
public sealed class TipFetchMachine
{
    private readonly List<FetchTip> _tips;
    private readonly List<Hash20> _localTips;
    private readonly HashSet<Hash20> _present;
    private readonly TipFetchOptions _options;
    private readonly string? _origin;
    private readonly long _startedMs;
    private readonly List<IPEndPoint> _knownPeers = [];
    private readonly List<string> _failures = [];
    private readonly Dictionary<int, Pending> _pending = [];
    private readonly Queue<Hash20> _laneQueue = new();
    private List<Hash20> _laneTags = [];
    private List<FetchCommand> _out = [];
    private Phase _phase = Phase.Idle;
    private Hash20? _firstFetched;
    private int _nextRequest;
    private int _lead = -1;
    private bool _leadReached;
    private bool _gaveUp;
    private int _swarmPacks;
    private int _lanesTotal;
    private int _lanesDone;
    private bool _lanesProven;
    private int _originRefs;
    private readonly SortedSet<string> _needOrigin = new(StringComparer.Ordinal);

    /// <param name="tips">What to fetch, in any order (ordered here: see <see cref="Order"/>).</param>
    /// <param name="headRef">The ref HEAD names (its tip is asked for first), when known.</param>
    /// <param name="localTips">Commits the repository has, newest first (the haves).</param>
    /// <param name="present">Which of the tips' commits and objects the repository has already.</param>
    /// <param name="origin">The origin's name for messages; null when there is none (key and name forms).</param>
    /// <param name="nowMs">The driver's clock now, in milliseconds.</param>
    public TipFetchMachine(IEnumerable<FetchTip> tips, string? headRef, IEnumerable<Hash20> localTips, IEnumerable<Hash20> present,
        TipFetchOptions options, string? origin, long nowMs)
    {
        _tips = Order(tips, headRef);
        _localTips = [.. localTips.Distinct().Take(TipFetchOptions.HavesSent)];
        _present = [.. present];
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _origin = origin;
        _startedMs = nowMs;
    }

    /// <summary>The tips in the order they are asked for.</summary>
    public IReadOnlyList<FetchTip> Tips => _tips;

    /// <summary>When the machine wants <see cref="Tick"/> called (the swarm deadline), or null.</summary>
    public long? WakeAtMs => _phase == Phase.Lead && !_leadReached && !_gaveUp ? _startedMs + (long)_options.SwarmTimeout.TotalMilliseconds : null;

    /// <summary>Set once the fetch is over.</summary>
    public TipFetchOutcome? Outcome { get; private set; }

    /// <summary>
    /// The order of requests: the branch HEAD names, then other branches, then tags, then anything else (HEAD itself);
    /// by name within each group; one entry per object. Two clients fetching the same refs ask in the same order.
    /// </summary>
    public static List<FetchTip> Order(IEnumerable<FetchTip> tips, string? headRef)
    {
        ArgumentNullException.ThrowIfNull(tips);
        return [.. tips.DistinctBy(t => (t.RefName, t.Object))
            .OrderBy(t => t.RefName == headRef ? 0
                : t.RefName.StartsWith("refs/heads/", StringComparison.Ordinal) ? 1
                : t.RefName.StartsWith("refs/tags/", StringComparison.Ordinal) ? 2 : 3)
            .ThenBy(t => t.RefName, StringComparer.Ordinal)];
    }

    /// <summary>The haves of the next request: the first tip fetched, then the newest local tips.</summary>
    public IReadOnlyList<Hash20> Haves =>
        [.. (_firstFetched is { } first ? _localTips.Prepend(first) : _localTips).Distinct().Take(TipFetchOptions.HavesSent)];

    public IReadOnlyList<FetchCommand> Start()
    {
        if (_phase != Phase.Idle)
        {
            throw new InvalidOperationException("The fetch has started already.");
        }
        var missing = Missing();
        if (missing.Count == 0)
        {
            CheckTagObjects();
            return Flush();
        }
        _phase = Phase.Lead;
        Info($"Looking for peers of {missing[0]}");
        _lead = Ask(missing[0], [.. missing.Skip(1).Take(GitTorrentMessage.MaxWants)], lookUp: true, shown: true, PendingKind.Batch);
        return Flush();
    }

    public IReadOnlyList<FetchCommand> Tick(long nowMs)
    {
        if (WakeAtMs is { } wake && nowMs >= wake)
        {
            // Nobody reached in time: stop looking; the lead's answer (coming now) lists what was tried.
            _gaveUp = true;
            _out.Add(new GiveUpPack(_lead));
            if (_origin is not null)
            {
                var tip = _pending[_lead].Sha;
                Info($"no peer has {tip} after {_options.SwarmTimeout.TotalSeconds:0.0} s, fetching from the origin");
                _pending.Remove(_lead);
                SwarmCannotServe();
            }
        }
        return Flush();
    }

    public IReadOnlyList<FetchCommand> Handle(FetchEvent fetchEvent, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(fetchEvent);
        switch (fetchEvent)
        {
            case PeerReached reached when reached.Request == _lead:
                _leadReached = true;
                break;
            case PackFetched fetched when _pending.Remove(fetched.Request, out var pending):
                OnPackFetched(pending, fetched, nowMs);
                break;
            case ObjectsChecked checkedObjects when _phase is Phase.CheckingLaneTags or Phase.CheckingTagObjects:
                OnObjectsChecked(checkedObjects.Present);
                break;
            case OriginFetched origin when _phase == Phase.Origin:
                Finish(origin.Error, _originRefs);
                break;
        }
        return Flush();
    }

    private void OnPackFetched(Pending pending, PackFetched fetched, long nowMs)
    {
        var result = fetched.Result;
        _present.UnionWith(fetched.Present);
        if (result.InfoHash is { } infoHash && result.Timings is { } timings)
        {
            Verbose($"pack torrent {infoHash}: {timings}");
        }
        if (!result.Success)
        {
            foreach (var failure in result.Failures)
            {
                Verbose("  " + failure);
            }
        }
        else
        {
            _swarmPacks++;
            _firstFetched ??= pending.Sha;
            foreach (var peer in result.Peers.Where(p => !_knownPeers.Contains(p)))
            {
                _knownPeers.Add(peer);
            }
            var message = $"Received {result.PackBytes} pack bytes for {pending.Sha} from {string.Join(", ", result.ServedBy)}";
            if (pending.Kind == PendingKind.Lane)
            {
                Verbose($"{message} ({RefOf(pending.Sha)})");
            }
            else
            {
                Info(message);
            }
        }
        switch (pending.Kind)
        {
            case PendingKind.Batch when _gaveUp && pending.Request == _lead && !result.Success:
                // Given up at the swarm deadline: without an origin the fetch fails here, naming what was tried.
                if (_origin is null)
                {
                    _failures.Add($"{Describe(pending.Sha)}: no peer has it after {_options.SwarmTimeout.TotalSeconds:0.0} s; "
                        + DescribeTried(result));
                    Finish(FailureMessage());
                }
                break;
            case PendingKind.Batch:
                OnBatchFetched(pending, result, nowMs);
                break;
            case PendingKind.Lane:
                OnLaneFetched(pending, result);
                break;
        }
    }

    private void OnBatchFetched(Pending pending, SwarmFetchResult result, long nowMs)
    {
        _phase = Phase.Batches;
        if (!result.Success)
        {
            var elapsed = (nowMs - _startedMs) / 1000.0;
            if (_origin is not null)
            {
                Info(pending.Request == _lead && result.PeersFound == 0 && _knownPeers.Count == 0
                    ? $"no peer has {pending.Sha} after {elapsed:0.0} s, fetching from the origin"
                    : $"the swarm could not serve {pending.Sha} ({DescribeTried(result)}), fetching from the origin");
            }
            else
            {
                _failures.Add($"{Describe(pending.Sha)}: " + DescribeTried(result));
            }
            SwarmCannotServe();
            return;
        }
        var brought = pending.Wants.Count(_present.Contains);
        if (brought > 0)
        {
            Info($"Also received {brought} more tip(s) in the same pack");
        }
        var missing = Missing();
        if (missing.Count == 0)
        {
            CheckTagObjects();
            return;
        }
        if (brought > 0)
        {
            // The seeder packs the wants it has: ask the same peers for the next tips beyond this request's list.
            Ask(missing[0], [.. missing.Skip(1).Take(GitTorrentMessage.MaxWants)], lookUp: false, shown: true, PendingKind.Batch);
            return;
        }
        StartLanes(missing);
    }

    /// <summary>
    /// The peers served the first tip but none of the wants: they ignore want lists or lack those tips. One tip is asked
    /// for alone; if it comes, the rest follows one by one, else the swarm cannot serve the rest.
    /// </summary>
    private void StartLanes(List<Hash20> missing)
    {
        _phase = Phase.Lanes;
        var branches = missing.Where(c => _tips.Any(t => t.Commit == c && t.RefName.StartsWith("refs/heads/", StringComparison.Ordinal))).ToList();
        _laneTags = [.. missing.Except(branches)];
        foreach (var commit in branches.Count > 0 ? branches : _laneTags)
        {
            _laneQueue.Enqueue(commit);
        }
        if (branches.Count == 0)
        {
            _laneTags = [];
        }
        _lanesTotal = missing.Count;
        Info($"Fetching {missing.Count} more tip(s) from the swarm, {_options.ParallelFetches} at a time");
        Ask(_laneQueue.Dequeue(), [], lookUp: false, shown: false, PendingKind.Lane);
    }

    private void OnLaneFetched(Pending pending, SwarmFetchResult result)
    {
        _lanesDone++;
        Counter("Fetching tips", _lanesDone, _lanesTotal);
        if (!result.Success && !_lanesProven)
        {
            // The one tip asked alone did not come either: the peers lack what is left.
            if (_origin is not null)
            {
                Info($"the peers that served {_firstFetched} do not have {pending.Sha} ({DescribeTried(result)}), "
                    + $"fetching the {Missing().Count} tip(s) still missing from the origin");
            }
            else
            {
                _failures.Add($"{Describe(pending.Sha)}: " + DescribeTried(result));
            }
            _laneQueue.Clear();
            _laneTags = [];
            if (_pending.Count == 0)
            {
                SwarmCannotServe();
            }
            return;
        }
        if (result.Success)
        {
            _lanesProven = true;
        }
        else if (_origin is not null)
        {
            _needOrigin.UnionWith(_tips.Where(t => t.Commit == pending.Sha).Select(t => t.RefName));
        }
        else
        {
            _failures.Add($"{Describe(pending.Sha)}: " + DescribeTried(result));
        }
        FillLanes();
    }

    private void FillLanes()
    {
        while (_laneQueue.Count > 0 && _pending.Count < Math.Max(1, _options.ParallelFetches))
        {
            var next = _laneQueue.Dequeue();
            if (_present.Contains(next))
            {
                _lanesDone++;
                Counter("Fetching tips", _lanesDone, _lanesTotal);
                continue;
            }
            Ask(next, [], lookUp: false, shown: false, PendingKind.Lane);
        }
        if (_pending.Count > 0)
        {
            return;
        }
        if (_laneTags.Count > 0)
        {
            // Branches done: most tags are on them and came along; look before asking.
            _phase = Phase.CheckingLaneTags;
            _out.Add(new CheckObjects(_laneTags));
            return;
        }
        if (_failures.Count > 0 && _origin is null)
        {
            Finish(FailureMessage());
            return;
        }
        CheckTagObjects();
    }

    private void OnObjectsChecked(IReadOnlySet<Hash20> present)
    {
        _present.UnionWith(present);
        if (_phase == Phase.CheckingLaneTags)
        {
            _phase = Phase.Lanes;
            foreach (var tag in _laneTags)
            {
                if (_present.Contains(tag))
                {
                    _lanesDone++;
                    Counter("Fetching tips", _lanesDone, _lanesTotal);
                }
                else
                {
                    _laneQueue.Enqueue(tag);
                }
            }
            _laneTags = [];
            FillLanes();
            return;
        }
        // Tag objects: those still missing come from the origin.
        foreach (var tip in _tips.Where(t => t.IsAnnotatedTag && !_present.Contains(t.Object)))
        {
            _needOrigin.Add(tip.RefName);
        }
        FetchFromOriginOrFinish();
    }

    /// <summary>Every commit is here: check the tag objects of annotated tags that may not have come with them.</summary>
    private void CheckTagObjects()
    {
        var unknown = _tips.Where(t => t.IsAnnotatedTag && !_present.Contains(t.Object)).Select(t => t.Object).Distinct().ToList();
        if (unknown.Count == 0)
        {
            FetchFromOriginOrFinish();
            return;
        }
        _phase = Phase.CheckingTagObjects;
        _out.Add(new CheckObjects(unknown));
    }

    /// <summary>
    /// The decision: the swarm cannot serve what is missing. With an origin, all of it comes from there in one fetch
    /// (with any tag objects missing); without one, the fetch fails.
    /// </summary>
    private void SwarmCannotServe()
    {
        if (_origin is null)
        {
            if (_pending.Count == 0)
            {
                Finish(FailureMessage());
            }
            return;
        }
        _laneQueue.Clear();
        _laneTags = [];
        var missing = Missing().ToHashSet();
        foreach (var tip in _tips.Where(t => missing.Contains(t.Commit) || (t.IsAnnotatedTag && !_present.Contains(t.Object))))
        {
            _needOrigin.Add(tip.RefName);
        }
        if (_pending.Count == 0)
        {
            FetchFromOriginOrFinish();
        }
    }

    private void FetchFromOriginOrFinish()
    {
        if (_needOrigin.Count == 0)
        {
            Finish(_failures.Count > 0 ? FailureMessage() : null);
            return;
        }
        if (_origin is null)
        {
            _failures.AddRange(_needOrigin.Select(r => $"{r}: its tag object did not come with the pack and there is no origin"));
            Finish(FailureMessage());
            return;
        }
        _phase = Phase.Origin;
        _originRefs = _needOrigin.Count;
        Info($"Fetching {_needOrigin.Count} ref(s) from the origin {_origin}");
        _out.Add(new FetchFromOrigin([.. _needOrigin]));
    }

    private void Finish(string? error, int originRefs = 0)
    {
        _phase = Phase.Done;
        Outcome = new TipFetchOutcome(error is null, error, _swarmPacks, originRefs);
        _out.Add(new FinishFetch(Outcome));
    }

    private string FailureMessage() => "could not fetch from the swarm: " + string.Join(" | ", _failures);

    private int Ask(Hash20 sha, List<Hash20> wants, bool lookUp, bool shown, PendingKind kind)
    {
        var request = ++_nextRequest;
        _pending[request] = new Pending(request, kind, sha, wants);
        _out.Add(new AskForPack(request, sha, wants, Haves, [.. _knownPeers], lookUp, shown));
        return request;
    }

    /// <summary>Distinct commits of the tips that are not here, in request order.</summary>
    private List<Hash20> Missing() => [.. _tips.Select(t => t.Commit).Distinct().Where(c => !_present.Contains(c))];

    private string RefOf(Hash20 commit) => _tips.FirstOrDefault(t => t.Commit == commit)?.RefName ?? commit.ToString();

    private string Describe(Hash20 commit) => $"{RefOf(commit)} ({commit})";

    private static string DescribeTried(SwarmFetchResult result) =>
        (result.PeersFound == 0 ? "the DHT lookup found no peer" : $"the DHT lookup found {result.PeersFound} peer(s)")
        + (result.Failures.Count == 0 ? "" : "; " + string.Join("; ", result.Failures));

    private void Info(string message) => _out.Add(new ReportProgress(new FetchReport(FetchReportKind.Info, message)));

    private void Verbose(string message) => _out.Add(new ReportProgress(new FetchReport(FetchReportKind.Verbose, message)));

    private void Counter(string title, long done, long total) =>
        _out.Add(new ReportProgress(new FetchReport(FetchReportKind.Counter, title, done, total)));

    private List<FetchCommand> Flush()
    {
        var commands = _out;
        _out = [];
        return commands;
    }

    private enum Phase
    {
        Idle,
        Lead,
        Batches,
        Lanes,
        CheckingLaneTags,
        CheckingTagObjects,
        Origin,
        Done,
    }

    private enum PendingKind
    {
        /// <summary>A tip with wants (the lead, then batches from the same peers).</summary>
        Batch,

        /// <summary>One tip alone.</summary>
        Lane,
    }

    private sealed record Pending(int Request, PendingKind Kind, Hash20 Sha, List<Hash20> Wants);
}
