namespace GitTorrent.Engine.Client;

/// <summary>Cancels a download that has made no progress for a while.</summary>
internal sealed class StallWatchdog(CancellationTokenSource target, TimeSpan limit, TimeProvider time)
{
    private long _lastValue = -1;
    private long _lastChange = time.GetTimestamp();

    /// <summary>Records the current progress value; true when it changed (progress was made).</summary>
    public bool Observe(long value)
    {
        if (Interlocked.Exchange(ref _lastValue, value) != value)
        {
            Interlocked.Exchange(ref _lastChange, time.GetTimestamp());
            return true;
        }
        return false;
    }

    public ITimer Start()
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(100, limit.TotalMilliseconds / 10));
        return time.CreateTimer(_ =>
        {
            if (time.GetElapsedTime(Interlocked.Read(ref _lastChange)) > limit)
            {
                target.Cancel();
            }
        }, null, period, period);
    }
}
