namespace GitTorrent.Web.Node;

/// <summary>
/// Which crawled repositories the portal fetches next, over all of them: a repository whose profile changed since its
/// last successful fetch (or that was never fetched) is due; the due ones take turns, the one that waited longest
/// first, a bounded number per round; one that failed waits before its next try, twice as long after each failure in
/// a row (up to a ceiling), so a repository nobody can serve, or whose profile is hostile, costs one try per backoff
/// and never holds up the others. No I/O: the caller says what exists and what happened, with its clock.
/// </summary>
/// <param name="firstRetry">The wait after a first failure.</param>
/// <param name="maxRetry">The longest wait between tries.</param>
public sealed class SwarmFetchQueue(TimeSpan firstRetry, TimeSpan maxRetry)
{
    private readonly Dictionary<long, State> _states = [];

    /// <summary>Repositories known to the queue.</summary>
    public int Count => _states.Count;

    /// <summary>
    /// The repositories that exist now (id and when their profile last changed). New ones are due at once, changed
    /// ones as soon as their backoff allows, gone ones are forgotten.
    /// </summary>
    public void Update(IEnumerable<(long Id, DateTimeOffset Version)> repositories, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(repositories);
        var seen = new HashSet<long>();
        foreach (var (id, version) in repositories)
        {
            seen.Add(id);
            if (!_states.TryGetValue(id, out var state))
            {
                _states[id] = new State { Version = version, DueAt = now, LastTry = DateTimeOffset.MinValue };
                continue;
            }
            if (state.Version != version)
            {
                state.Version = version;
                state.Fetched = false;
                state.DueAt = state.Failures == 0 ? now : state.DueAt;
            }
        }
        foreach (var gone in _states.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _states.Remove(gone);
        }
    }

    /// <summary>Up to <paramref name="max"/> due repositories, the one whose last try is oldest first.</summary>
    public IReadOnlyList<long> TakeDue(DateTimeOffset now, int max) =>
        [.. _states.Where(s => !s.Value.Fetched && s.Value.DueAt <= now)
            .OrderBy(s => s.Value.LastTry).ThenBy(s => s.Value.DueAt).ThenBy(s => s.Key)
            .Take(max)
            .Select(s => s.Key)];

    /// <summary>Fetched the version it had when taken: not due again until its profile changes.</summary>
    public void Succeeded(long id, DateTimeOffset now)
    {
        if (_states.TryGetValue(id, out var state))
        {
            state.Fetched = true;
            state.Failures = 0;
            state.LastTry = now;
        }
    }

    /// <summary>Failed: due again after the backoff. Returns that wait.</summary>
    public TimeSpan Failed(long id, DateTimeOffset now)
    {
        if (!_states.TryGetValue(id, out var state))
        {
            return TimeSpan.Zero;
        }
        state.Failures++;
        state.LastTry = now;
        var wait = TimeSpan.FromTicks(Math.Min(maxRetry.Ticks, firstRetry.Ticks * (1L << Math.Min(state.Failures - 1, 30))));
        state.DueAt = now + wait;
        return wait;
    }

    /// <summary>Failures in a row of one repository (0 when it never failed or last succeeded).</summary>
    public int FailuresOf(long id) => _states.TryGetValue(id, out var state) ? state.Failures : 0;

    private sealed class State
    {
        public DateTimeOffset Version { get; set; }

        public DateTimeOffset DueAt { get; set; }

        public DateTimeOffset LastTry { get; set; }

        public int Failures { get; set; }

        public bool Fetched { get; set; }
    }
}
