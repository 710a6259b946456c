using System.Collections.Concurrent;
using System.Net;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Dht;

/// <summary>
/// When a bound of the node drops something, the log says so through the engine's one limit routine (LimitLog): the
/// first drop at once, the rest as one line at the end of each 10 s of the node's clock however many datagrams were dropped.
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
        await WaitForLinesAsync(1); // the first at once
        Assert.Equal("Limit Dht:malformed datagrams bit 1 time(s) in the last 0 s", Assert.Single(lines));

        time.Advance(TimeSpan.FromSeconds(5)); // within the interval: nothing yet
        await PingAsync();
        Assert.Single(lines);
        time.Advance(TimeSpan.FromSeconds(5)); // the interval is over: one line for the other 49
        await WaitForLinesAsync(2);
        Assert.Equal("Limit Dht:malformed datagrams bit 49 time(s) in the last 10 s", lines.Last());

        await SendMalformedAsync(30);
        time.Advance(TimeSpan.FromSeconds(10));
        await WaitForLinesAsync(3);
        Assert.Equal(3, lines.Count);
        Assert.Equal("Limit Dht:malformed datagrams bit 30 time(s) in the last 10 s", lines.Last());

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
            if (eventId.Id == GitTorrent.Engine.Base.LimitLog.EventId)
            {
                lines.Enqueue(formatter(state, exception));
            }
        }
    }
}
