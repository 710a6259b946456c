using System.Net;
using System.Net.Sockets;
using System.Text;
using GitTorrent.Cli.Commands;

namespace GitTorrent.Cli.Tests.Commands;

/// <summary>
/// <c>gittorrent dht node</c> started through the dispatcher runs with the limits set as <c>GITTORRENT_DHT__*</c>
/// (README, "DHT node limits"), not the defaults: with a burst of 2 queries per source, 10 pings sent at once get at
/// most 3 answers; without the variables all 10 are answered.
/// </summary>
public sealed class DhtNodeLimitsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _home = Directory.CreateTempSubdirectory("gt-dht-limits-").FullName;

    [Fact]
    public async Task Dht_node_applies_the_rate_limit_set_in_the_environment()
    {
        var limited = await PingsAnsweredAsync(new Dictionary<string, string?>
        {
            ["GITTORRENT_DHT__RateLimitPerSecond"] = "1",
            ["GITTORRENT_DHT__RateLimitBurst"] = "2",
        });
        var defaults = await PingsAnsweredAsync(new Dictionary<string, string?>());

        Assert.InRange(limited, 1, 3); // the burst, plus at most one token refilled meanwhile
        Assert.Equal(10, defaults);
    }

    private async Task<int> PingsAnsweredAsync(Dictionary<string, string?> environment)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = new ListeningLineWriter();
        var run = new CliApp(CommandTable.Default, stdout, TextWriter.Null).RunAsync(
            ["--home", _home, "--bootstrap", "", "--dht-port", "0", "--bind", "127.0.0.1", "dht", "node"], environment, cts.Token);
        var endPoint = IPEndPoint.Parse((await stdout.Listening.Task.WaitAsync(Timeout)).Split(' ')[1]);

        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        for (var i = 0; i < 10; i++)
        {
            var ping = Encoding.ASCII.GetBytes($"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:{i:D2}1:y1:qe");
            await client.SendAsync(ping, endPoint, cts.Token);
        }

        var answered = 0;
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        quiet.CancelAfter(TimeSpan.FromSeconds(2)); // the node answers within milliseconds; dropped pings never are
        try
        {
            while (true)
            {
                // The node also pings us to verify our address before it lists us: only answers are counted.
                var datagram = Encoding.ASCII.GetString((await client.ReceiveAsync(quiet.Token)).Buffer);
                if (datagram.Contains("1:y1:r", StringComparison.Ordinal))
                {
                    answered++;
                }
            }
        }
        catch (OperationCanceledException) when (!cts.IsCancellationRequested)
        {
        }

        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Timeout));
        return answered;
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private sealed class ListeningLineWriter : StringWriter
    {
        public TaskCompletionSource<string> Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith("listening ", StringComparison.Ordinal) == true)
            {
                Listening.TrySetResult(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
