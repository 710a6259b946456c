namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>
/// Kademlia's iterative lookup as a sans-IO state machine: it keeps the candidates sorted by distance
/// to the target, says whom to query next (at most alpha at a time, slow queries excepted) and is done
/// when the K closest candidates that did not fail have all answered. A query outstanding past the slow
/// threshold is set aside like a failure (its answer still counts if it comes before the end) and other
/// nodes are queried in its place (libtorrent's short timeout, see <see cref="Width"/>), so a few dead nodes
/// among the closest cost one slow threshold rather than a full timeout each. The threshold follows the round-trip times of this lookup's
/// answers (<see cref="RoundTripEstimator"/>): on a network where answers take 50 ms, a departed node is set
/// aside after a few hundred milliseconds, not after a fixed second.
/// </summary>
internal sealed class IterativeLookup
{
    /// <summary>Candidates kept; farther ones that were never queried are forgotten.</summary>
    public const int MaxCandidates = 128;

    private readonly List<LookupCandidate> _candidates = [];
    private readonly HashSet<Hash20> _known = [];
    private readonly Hash20 _self;
    private readonly RoundTripEstimator _roundTrips;
    private int _activeInFlight;

    /// <param name="roundTrips">The slow threshold; null = queries are never set aside, only failed.</param>
    public IterativeLookup(Hash20 target, Hash20 self, int k, int alpha, RoundTripEstimator? roundTrips = null)
    {
        Target = target;
        _self = self;
        K = k;
        Alpha = alpha;
        _roundTrips = roundTrips ?? new RoundTripEstimator(long.MaxValue, long.MaxValue);
    }

    public Hash20 Target { get; }

    public int K { get; }

    public int Alpha { get; }

    public int InFlight { get; private set; }

    public int QueriesSent { get; private set; }

    /// <summary>Queries set aside as slow so far (each let another node be queried in its place).</summary>
    public int SlowQueries { get; private set; }

    /// <summary>
    /// Queries that may be outstanding and not slow: alpha, plus one for each query set aside as slow, up to K. A
    /// slow query frees its own slot (libtorrent's short timeout) and opens one more: where nodes have left, the
    /// lookup crosses them in fewer rounds (in a simulated network with 30% departed nodes and 100 ms round trips,
    /// the slowest of 40 lookups took 13 round trips instead of 15 with alpha alone).
    /// </summary>
    public int Width => Math.Min(Math.Max(K, Alpha), Alpha + SlowQueries);

    /// <summary>The current slow threshold in milliseconds.</summary>
    public long SlowAfterMs => _roundTrips.SlowAfterMs;

    public IReadOnlyList<LookupCandidate> Candidates => _candidates;

    public void Add(DhtContact contact, int depth)
    {
        if (contact.Id == _self || !_known.Add(contact.Id))
        {
            return;
        }
        var candidate = new LookupCandidate(contact, contact.Id.Xor(Target), depth);
        var at = _candidates.Count;
        while (at > 0 && _candidates[at - 1].Distance > candidate.Distance)
        {
            at--;
        }
        if (at >= MaxCandidates)
        {
            return;
        }
        _candidates.Insert(at, candidate);
        if (_candidates.Count > MaxCandidates)
        {
            for (var i = _candidates.Count - 1; i >= 0; i--)
            {
                if (_candidates[i].State is CandidateState.New or CandidateState.Failed)
                {
                    _candidates.RemoveAt(i);
                    break;
                }
            }
        }
    }

    /// <summary>Candidates to query now; they are marked as queried.</summary>
    public List<LookupCandidate> Next(long now)
    {
        var batch = new List<LookupCandidate>();
        var considered = 0;
        foreach (var candidate in _candidates)
        {
            if (_activeInFlight >= Width || considered >= K)
            {
                break;
            }
            if (IsSetAside(candidate))
            {
                continue;
            }
            considered++;
            if (candidate.State != CandidateState.New)
            {
                continue;
            }
            candidate.State = CandidateState.Queried;
            candidate.SentAt = now;
            _activeInFlight++;
            InFlight++;
            QueriesSent++;
            batch.Add(candidate);
        }
        return batch;
    }

    /// <summary>Done when the K closest live candidates have all answered, or nothing is left to try.</summary>
    public bool IsDone
    {
        get
        {
            var considered = 0;
            foreach (var candidate in _candidates)
            {
                if (IsSetAside(candidate))
                {
                    continue;
                }
                if (candidate.State != CandidateState.Responded)
                {
                    return false;
                }
                if (++considered >= K)
                {
                    return true;
                }
            }
            return _activeInFlight == 0;
        }
    }

    /// <summary>
    /// A query set aside as slow that has had less than one more slow threshold to answer: a lookup that has found
    /// nothing waits for these before it ends, so a live node slowed down (a loaded machine, a long path) still gets
    /// its answer counted, while a departed node costs one threshold more, once, not one per wave.
    /// </summary>
    public bool HasRecentSlowQueries(long now)
    {
        var patience = 2 * _roundTrips.SlowAfterMs;
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Queried && candidate.Slow && now - candidate.SentAt < patience)
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsSetAside(LookupCandidate candidate) =>
        candidate.State == CandidateState.Failed || (candidate.State == CandidateState.Queried && candidate.Slow);

    /// <summary>An answer to the query sent to <paramref name="candidate"/>, received at <paramref name="now"/>.</summary>
    public void OnResponse(LookupCandidate candidate, IEnumerable<DhtContact> closer, long now)
    {
        if (!Settle(candidate, CandidateState.Responded))
        {
            return;
        }
        _roundTrips.Add(now - candidate.SentAt);
        foreach (var contact in closer)
        {
            Add(contact, candidate.Depth + 1);
        }
    }

    public void OnFailure(LookupCandidate candidate) => Settle(candidate, CandidateState.Failed);

    /// <summary>Queries outstanding for longer than <see cref="SlowAfterMs"/> stop holding an alpha slot.</summary>
    public void MarkSlow(long now)
    {
        var slowAfter = _roundTrips.SlowAfterMs;
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Queried && !candidate.Slow && now - candidate.SentAt >= slowAfter)
            {
                candidate.Slow = true;
                _activeInFlight--;
                SlowQueries++;
            }
        }
    }

    /// <summary>The K closest candidates that answered, closest first.</summary>
    public List<LookupCandidate> ClosestResponded()
    {
        var result = new List<LookupCandidate>(K);
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Responded)
            {
                result.Add(candidate);
                if (result.Count == K)
                {
                    break;
                }
            }
        }
        return result;
    }

    /// <summary>Hops needed to reach the closest answering nodes: the deepest round among them.</summary>
    public int Rounds()
    {
        var rounds = 0;
        foreach (var candidate in ClosestResponded())
        {
            rounds = Math.Max(rounds, candidate.Depth);
        }
        return rounds;
    }

    private bool Settle(LookupCandidate candidate, CandidateState state)
    {
        if (candidate.State != CandidateState.Queried)
        {
            return false;
        }
        candidate.State = state;
        InFlight--;
        if (!candidate.Slow)
        {
            _activeInFlight--;
        }
        return true;
    }
}
