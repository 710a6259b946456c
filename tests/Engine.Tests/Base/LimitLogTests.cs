using GitTorrent.Engine.Base;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Base;

/// <summary>
/// The one routine for a limit that bites: it counts every bite in the owner's counter, logs each limit's first bite at
/// once and a flood as one line per limit and interval, including what is left when the flood stops before the end of
/// its interval.
/// </summary>
public sealed class LimitLogTests
{
    [Fact]
    public void The_first_bite_of_each_limit_is_logged_at_once_and_a_flood_as_one_line_per_limit_every_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new ListLogger();
        var log = new LimitLog(logger, time);
        long perAddress = 0, inbound = 0;

        for (var i = 0; i < 1000; i++)
        {
            log.Bit(ref perAddress, "MaxConnectionsPerAddress");
            log.Bit(ref inbound, "MaxInboundConnections");
        }
        Assert.Equal((1000, 1000), (perAddress, inbound));
        Assert.Equal(["Limit MaxConnectionsPerAddress bit 1 time(s) in the last 0 s", "Limit MaxInboundConnections bit 1 time(s) in the last 0 s"],
            logger.Lines);

        // The flood stopped; at the end of the interval the rest is logged without waiting for another bite.
        time.Advance(LimitLog.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(2, logger.Lines.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, logger.Lines.Count);
        Assert.Contains("Limit MaxConnectionsPerAddress bit 999 time(s) in the last 10 s", logger.Lines);
        Assert.Contains("Limit MaxInboundConnections bit 999 time(s) in the last 10 s", logger.Lines);

        // Quiet since: nothing more; a bite after the interval is logged at once again.
        time.Advance(LimitLog.Interval * 3);
        Assert.Equal(4, logger.Lines.Count);
        log.Bit(ref inbound, "MaxInboundConnections");
        Assert.Equal("Limit MaxInboundConnections bit 1 time(s) in the last 30 s", logger.Lines[^1]);
        Assert.All(logger.Events, e => Assert.Equal(LimitLog.EventId, e));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public List<int> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Add(formatter(state, exception));
            Events.Add(eventId.Id);
        }
    }
}
