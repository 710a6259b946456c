using System.Collections.Concurrent;
using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>
/// When a bound of the node drops something, the log says so: one line naming what grew, at most once per 10 s of
/// the node's clock however many datagrams were dropped.
/// </summary>
public sealed class DhtLimitReportTests
{
    private static readonly TimeSpan Timeout = TestNetwork.Timeout;

    [Fact]
    public async Task Dropped_datagrams_are_logged_as_one_line_per_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lines = new ConcurrentQueue<string>();
        using var loggers = new LineLoggerFactory(lines);
        await using var node = await DhtNode.StartAsync(TestNetwork.Options(o => o.TimeProvider = time), loggers, CancellationToken.None).WaitAsync(Timeout);
        using var attacker = new RawKrpcClient(RawKrpcClient.AttackerAddress);
        using var pinger = new RawKrpcClient();

        await SendMalformedAsync(50);
        time.Advance(TimeSpan.FromMilliseconds(200)); // a tick: the first report
        await WaitForLinesAsync(1);
        Assert.Contains("malformed 50", Assert.Single(lines), StringComparison.Ordinal);

        await SendMalformedAsync(30);
        time.Advance(TimeSpan.FromSeconds(5)); // ticks, but within the interval: nothing yet
        await PingAsync();
        time.Advance(TimeSpan.FromSeconds(5)); // the interval is over: one line for the 30
        await WaitForLinesAsync(2);
        Assert.Equal(2, lines.Count);
        Assert.Contains("malformed 30", lines.Last(), StringComparison.Ordinal);

        async Task SendMalformedAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                attacker.SendRaw("d1:y1:q"u8, node.LocalEndPoint);
            }
            await PingAsync(); // handled after the datagrams sent before it: the node has counted them
        }

        async Task PingAsync()
        {
            var pong = await pinger.QueryAsync(node.LocalEndPoint, KrpcMethod.Ping, new BDictionary()).WaitAsync(Timeout);
            Assert.Equal(KrpcMessageType.Response, pong.Type);
        }

        async Task WaitForLinesAsync(int count)
        {
            using var cts = new CancellationTokenSource(Timeout);
            while (lines.Count < count)
            {
                await Task.Delay(10, cts.Token);
            }
        }
    }

    private sealed class LineLoggerFactory(ConcurrentQueue<string> lines) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new LineLogger(lines);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class LineLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 3012)
            {
                lines.Enqueue(formatter(state, exception));
            }
        }
    }
}
