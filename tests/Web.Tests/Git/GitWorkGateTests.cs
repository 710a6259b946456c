using System.Net;
using GitTorrent.Web.Git;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Web.Tests.Git;

/// <summary>
/// The gate's bookkeeping, in process with works that wait on the test: a run asked for again is joined (free, one
/// result), a second run of one address is refused, the waiting line is cut, and a run every requester has left
/// before it got a slot never starts. Every bite is counted in <see cref="BrowseStatistics"/>.
/// </summary>
public sealed class GitWorkGateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IPAddress Alice = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Bob = IPAddress.Parse("127.0.0.3");

    private readonly BrowseStatistics statistics = new(NullLogger<BrowseStatistics>.Instance, TimeProvider.System);

    [Fact]
    public async Task AskingForARunUnderWayJoinsItAndASecondRunOfOneAddressIsRefused()
    {
        var gate = NewGate(slots: 2, perClient: 1, queue: 4);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        Task<string> Work(CancellationToken _)
        {
            Interlocked.Increment(ref started);
            return release.Task;
        }

        var first = gate.RunAsync("blame a", Alice, Work, Refusal, CancellationToken.None);
        var joined = gate.RunAsync("blame a", Alice, Work, Refusal, CancellationToken.None);
        var other = await gate.RunAsync("blame b", Alice, Work, Refusal, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("refused: ClientBusy", other);
        Assert.Equal(1, statistics.GitWorkRefusedPerClient);

        release.SetResult("blamed");
        Assert.Equal("blamed", await first.WaitAsync(Timeout));
        Assert.Equal("blamed", await joined.WaitAsync(Timeout));
        Assert.Equal(1, started);
        Assert.Equal(0, gate.Pending);

        // Its run over, the address may start another.
        Assert.Equal("again", await gate.RunAsync("blame b", Alice, _ => Task.FromResult("again"), Refusal, CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task TheWaitingLineIsCutAndARunEveryoneLeftNeverStarts()
    {
        var gate = NewGate(slots: 1, perClient: 4, queue: 1);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = gate.RunAsync("log a", Alice, _ =>
        {
            holding.TrySetResult();
            return release.Task;
        }, Refusal, CancellationToken.None);

        // Its work started, so it holds the one slot. (Pending counts it as soon as it is asked for, before its task
        // takes the slot: "log b" could then take the slot first, and "log a" would be the one in the waiting line.)
        await holding.Task.WaitAsync(Timeout);
        Assert.Equal(1, gate.Pending);

        var lateStarted = false;
        using var leaving = new CancellationTokenSource();
        var waiting = gate.RunAsync("log b", Bob, _ =>
        {
            lateStarted = true;
            return Task.FromResult("should not run");
        }, Refusal, leaving.Token);
        await WaitUntilAsync(() => statistics.GitWorkQueued == 1);

        Assert.Equal("refused: ServerBusy", await gate.RunAsync("log c", Bob, _ => Task.FromResult("no room"), Refusal, CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(1, statistics.GitWorkRefusedQueueFull);

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        Assert.Equal(1, gate.Pending);

        release.SetResult("logged");
        Assert.Equal("logged", await running.WaitAsync(Timeout));
        Assert.Equal(0, gate.Pending);
        Assert.Equal("next", await gate.RunAsync("log d", Bob, _ => Task.FromResult("next"), Refusal, CancellationToken.None).WaitAsync(Timeout));
        Assert.False(lateStarted, "a run nobody waited for any more started");
    }

    private GitWorkGate NewGate(int slots, int perClient, int queue) => new(Microsoft.Extensions.Options.Options.Create(new BrowseOptions
    {
        MaxGitCommands = slots,
        MaxGitCommandsPerClient = perClient,
        MaxGitCommandQueue = queue,
        GitCommandTimeout = TimeSpan.FromMinutes(1),
    }), statistics);

    private static string Refusal(GitWorkStop stop) => $"refused: {stop}";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(10);
        }
    }
}
