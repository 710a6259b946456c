namespace GitTorrent.Indexer.Discovery;

/// <summary>
/// At most <c>limit</c> uses in any <c>window</c> (a log of the last uses, so the bound holds for every window, not
/// only on average), on the <see cref="TimeProvider"/>'s clock. Thread-safe.
/// </summary>
public sealed class SlidingWindowBudget(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Queue<long> _uses = new(); // timestamps (TimeProvider ticks) of the uses still in the window
    private readonly Lock _lock = new();

    /// <summary>Takes up to <paramref name="wanted"/> uses now; returns how many it got.</summary>
    public int TryTake(int wanted)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            Expire(now);
            var granted = Math.Clamp(limit - _uses.Count, 0, wanted);
            for (var i = 0; i < granted; i++)
            {
                _uses.Enqueue(now);
            }
            return granted;
        }
    }

    /// <summary>How long until at least one use is free again (zero when one is free now).</summary>
    public TimeSpan UntilFree()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            Expire(now);
            return _uses.Count < limit ? TimeSpan.Zero : window - time.GetElapsedTime(_uses.Peek(), now);
        }
    }

    private void Expire(long now)
    {
        while (_uses.Count > 0 && time.GetElapsedTime(_uses.Peek(), now) >= window)
        {
            _uses.Dequeue();
        }
    }
}
