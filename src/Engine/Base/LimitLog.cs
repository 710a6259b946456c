using Microsoft.Extensions.Logging;

namespace GitTorrent.Engine.Base;

/// <summary>
/// The one routine for "a limit bit": <see cref="Bit(ref long, string)"/> counts the bite in the owner's counter (the
/// one its statistics show) and logs it without letting a flood flood the log. A limit's first bite is logged at once;
/// later ones are summed per limit and logged in one line per limit at most once per <see cref="Interval"/>, at the end
/// of the interval even when the flood has stopped by then. Used by the BitTorrent engine, the GitTorrent node, the DHT
/// node and the portal's browsing bounds.
/// </summary>
public sealed partial class LimitLog(ILogger logger, TimeProvider timeProvider)
{
    /// <summary>The event id of its log lines.</summary>
    public const int EventId = 100;

    /// <summary>Shortest time between two log lines about one limit.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _limits = new(StringComparer.Ordinal);
    private ITimer? _flush;

    /// <summary>Counts one bite of <paramref name="limit"/> (the setting's name) in <paramref name="counter"/> and logs it.</summary>
    public void Bit(ref long counter, string limit)
    {
        Interlocked.Increment(ref counter);
        Bit(limit);
    }

    /// <summary>Logs one bite of <paramref name="limit"/> whose count is kept elsewhere (or nowhere).</summary>
    public void Bit(string limit)
    {
        (long Count, long Seconds)? now;
        lock (_gate)
        {
            if (!_limits.TryGetValue(limit, out var pending))
            {
                pending = new Pending();
                _limits[limit] = pending;
            }
            pending.Count++;
            var at = timeProvider.GetTimestamp();
            now = pending.TakeIfDue(at, timeProvider);
            if (now is null && _flush is null)
            {
                _flush = timeProvider.CreateTimer(_ => Flush(), null, Interval - timeProvider.GetElapsedTime(pending.LastLogged, at),
                    Timeout.InfiniteTimeSpan);
            }
        }
        if (now is { } line)
        {
            LogBit(logger, limit, line.Count, line.Seconds);
        }
    }

    /// <summary>Logs every limit whose interval is over and arms the timer again for those still waiting.</summary>
    private void Flush()
    {
        var lines = new List<(string Limit, long Count, long Seconds)>();
        lock (_gate)
        {
            _flush?.Dispose();
            _flush = null;
            var at = timeProvider.GetTimestamp();
            var next = Interval;
            foreach (var (limit, pending) in _limits)
            {
                if (pending.TakeIfDue(at, timeProvider) is { } line)
                {
                    lines.Add((limit, line.Count, line.Seconds));
                }
                else if (pending.Count > 0)
                {
                    next = TimeSpan.FromTicks(Math.Min(next.Ticks, (Interval - timeProvider.GetElapsedTime(pending.LastLogged, at)).Ticks));
                }
            }
            if (_limits.Values.Any(p => p.Count > 0))
            {
                _flush = timeProvider.CreateTimer(_ => Flush(), null, next, Timeout.InfiniteTimeSpan);
            }
        }
        foreach (var (limit, count, seconds) in lines)
        {
            LogBit(logger, limit, count, seconds);
        }
    }

    [LoggerMessage(EventId = EventId, Level = LogLevel.Warning, Message = "Limit {Limit} bit {Count} time(s) in the last {Seconds} s")]
    private static partial void LogBit(ILogger logger, string limit, long count, long seconds);

    /// <summary>The bites of one limit not logged yet, and when it was last logged.</summary>
    private sealed class Pending
    {
        public long Count { get; set; }

        public long LastLogged { get; private set; }

        private bool _logged;

        /// <summary>The count to log now and the seconds it covers, when the limit was never logged or its interval is over.</summary>
        public (long Count, long Seconds)? TakeIfDue(long at, TimeProvider time)
        {
            var since = _logged ? time.GetElapsedTime(LastLogged, at) : TimeSpan.Zero;
            if (Count == 0 || (_logged && since < Interval))
            {
                return null;
            }
            var line = (Count, (long)since.TotalSeconds);
            Count = 0;
            LastLogged = at;
            _logged = true;
            return line;
        }
    }
}
