namespace GitTorrent.Engine.Base;

/// <summary>
/// Byte-rate limiter shared by upload loops; a rate of 0 means unlimited. Up to one second of bytes may go at once.
/// A send takes what it needs as soon as the bucket holds anything and may leave it in debt, which later sends pay
/// off; a sender that finds the bucket empty sleeps at least <see cref="MinimumWait"/>, so a fast loop sends a few
/// blocks per wake instead of waking once per block for less than a timer tick (which, with sub-millisecond waits
/// rounded down to none, spun a core and cut a 10 MiB/s seeder to a quarter of its rate).
/// </summary>
public sealed class TokenBucket(long bytesPerSecond, TimeProvider timeProvider)
{
    /// <summary>The shortest sleep of a sender that found the bucket empty (a few timer ticks).</summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);

    private readonly Lock _gate = new();
    private double _tokens = bytesPerSecond;
    private long _last = timeProvider.GetTimestamp();

    public long BytesPerSecond { get; } = bytesPerSecond;

    /// <summary>Waits until <paramref name="bytes"/> may be sent.</summary>
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        if (BytesPerSecond <= 0)
        {
            return;
        }
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = timeProvider.GetTimestamp();
                _tokens = Math.Min(BytesPerSecond, _tokens + (timeProvider.GetElapsedTime(_last, now).TotalSeconds * BytesPerSecond));
                _last = now;
                if (_tokens > 0)
                {
                    _tokens -= bytes;
                    return;
                }
                wait = TimeSpan.FromSeconds(Math.Max(-_tokens / BytesPerSecond, MinimumWait.TotalSeconds));
            }
            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
