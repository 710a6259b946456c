namespace GitTorrent.TestSupport;

/// <summary>Waiting for a state a test cannot be told about (counters, processes): checked every 20 ms up to a timeout.</summary>
public static class Condition
{
    /// <summary>Returns once <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Returns once <paramref name="condition"/> (a probe that does IO: a DHT lookup, an HTTP request, an RPC) holds,
    /// checking every <paramref name="every"/>; throws <see cref="TimeoutException"/> naming <paramref name="what"/> and
    /// what <paramref name="describe"/> says of the last state after <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, TimeSpan every,
        Func<string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s{(describe is null ? "" : "; " + describe())}");
            }
            await Task.Delay(every);
        }
    }
}
