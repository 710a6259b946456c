namespace GitTorrent.Engine.Dht.Lookups;

/// <summary>
/// Kademlia's iterative lookup as a sans-IO state machine: it keeps the candidates sorted by distance
/// to the target, says whom to query next (at most alpha at a time, slow queries excepted) and is done
/// when the K closest candidates that did not fail have all answered. A query outstanding past the slow
/// threshold is set aside like a failure (its answer still counts if it comes before the end), so a few
/// dead nodes among the closest cost one slow threshold rather than a full timeout each.
/// </summary>
internal sealed class IterativeLookup
{
    /// <summary>Candidates kept; farther ones that were never queried are forgotten.</summary>
    public const int MaxCandidates = 128;

    private readonly List<LookupCandidate> _candidates = [];
    private readonly HashSet<Hash20> _known = [];
    private readonly Hash20 _self;
    private int _activeInFlight;

    public IterativeLookup(Hash20 target, Hash20 self, int k, int alpha)
    {
        Target = target;
        _self = self;
        K = k;
        Alpha = alpha;
    }

    public Hash20 Target { get; }

    public int K { get; }

    public int Alpha { get; }

    public int InFlight { get; private set; }

    public int QueriesSent { get; private set; }

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
            if (_activeInFlight >= Alpha || considered >= K)
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

    private static bool IsSetAside(LookupCandidate candidate) =>
        candidate.State == CandidateState.Failed || (candidate.State == CandidateState.Queried && candidate.Slow);

    public void OnResponse(LookupCandidate candidate, IEnumerable<DhtContact> closer)
    {
        if (!Settle(candidate, CandidateState.Responded))
        {
            return;
        }
        foreach (var contact in closer)
        {
            Add(contact, candidate.Depth + 1);
        }
    }

    public void OnFailure(LookupCandidate candidate) => Settle(candidate, CandidateState.Failed);

    /// <summary>Queries outstanding for <paramref name="slowAfterMs"/> stop holding an alpha slot.</summary>
    public void MarkSlow(long now, long slowAfterMs)
    {
        foreach (var candidate in _candidates)
        {
            if (candidate.State == CandidateState.Queried && !candidate.Slow && now - candidate.SentAt >= slowAfterMs)
            {
                candidate.Slow = true;
                _activeInFlight--;
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
