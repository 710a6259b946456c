using Microsoft.Extensions.Logging;

namespace GitTorrent.Engine.Swarm;

/// <summary>
/// Logs limits that bite without letting a flood flood the log: the first refusal is logged at once, later ones are
/// summed per limit and logged at most once per <see cref="Interval"/>.
/// </summary>
public sealed partial class LimitLog(ILogger logger, TimeProvider timeProvider)
{
    /// <summary>Shortest time between two log lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private long _lastLog;

    /// <summary>Records that <paramref name="limit"/> (the setting's name) refused something.</summary>
    public void Bit(string limit)
    {
        List<KeyValuePair<string, long>>? flush = null;
        TimeSpan since;
        lock (_gate)
        {
            _pending[limit] = _pending.GetValueOrDefault(limit) + 1;
            var now = timeProvider.GetTimestamp();
            since = _lastLog == 0 ? TimeSpan.Zero : timeProvider.GetElapsedTime(_lastLog, now);
            if (_lastLog == 0 || since >= Interval)
            {
                flush = [.. _pending];
                _pending.Clear();
                _lastLog = now;
            }
        }
        foreach (var (name, count) in flush ?? [])
        {
            LogRefused(logger, name, count, (long)since.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Limit {Limit} refused {Count} time(s) in the last {Seconds} s")]
    private static partial void LogRefused(ILogger logger, string limit, long count, long seconds);
}
