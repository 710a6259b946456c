using GitTorrent.Engine.Swarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Swarm;

public sealed class LimitLogTests
{
    [Fact]
    public void The_first_refusal_is_logged_at_once_and_a_flood_as_one_line_per_limit_every_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new ListLogger();
        var log = new LimitLog(logger, time);

        log.Bit("MaxConnectionsPerAddress");
        for (var i = 0; i < 1000; i++)
        {
            log.Bit("MaxConnectionsPerAddress");
            log.Bit("MaxInboundConnections");
        }
        Assert.Equal(["Limit MaxConnectionsPerAddress refused 1 time(s) in the last 0 s"], logger.Lines);

        time.Advance(LimitLog.Interval);
        log.Bit("MaxInboundConnections");

        Assert.Equal(3, logger.Lines.Count);
        Assert.Contains("Limit MaxConnectionsPerAddress refused 1000 time(s) in the last 10 s", logger.Lines);
        Assert.Contains("Limit MaxInboundConnections refused 1001 time(s) in the last 10 s", logger.Lines);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
