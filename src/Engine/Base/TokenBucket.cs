namespace GitTorrent.Engine.Base;

/// <summary>Byte-rate limiter shared by upload loops; a rate of 0 means unlimited.</summary>
public sealed class TokenBucket(long bytesPerSecond, TimeProvider timeProvider)
{
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
                if (_tokens >= bytes || _tokens >= BytesPerSecond)
                {
                    _tokens -= bytes;
                    return;
                }
                wait = TimeSpan.FromSeconds((bytes - _tokens) / BytesPerSecond);
            }
            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
