using GitTorrent.Engine.Fetch;
using GitTorrent.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GitTorrent.Engine.Tests.Fetch;

/// <summary>The fetch routine's driver on a real repository, with a swarm that never reaches a peer and fake time.</summary>
public sealed class TipFetcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A swarm in which nobody is ever reached: a fetch ends only when given up, saying so.</summary>
    private sealed class UnreachableSwarm : ISwarmFetcher
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory, CancellationToken cancellationToken) =>
            FetchAsync(commit, haves, gitDirectory, new SwarmFetchOptions([]), cancellationToken);

        public async Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
            SwarmFetchOptions options, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, options.GiveUp).ContinueWith(_ => { }, TaskScheduler.Default);
            return new SwarmFetchResult(false, 0, [], ["127.0.0.1:9: could not connect yet"]) { PeersFound = 1 };
        }
    }

    private sealed class RecordingOrigin : IOriginFetcher
    {
        public List<string> Fetched { get; } = [];

        public string Name => "http://origin.invalid/proj";

        public Task<OriginFetchResult> FetchAsync(string gitDirectory, IReadOnlyList<string> refNames, CancellationToken cancellationToken)
        {
            Fetched.AddRange(refNames);
            return Task.FromResult(new OriginFetchResult(null, true));
        }
    }

    private static List<FetchTip> Tips() =>
        [.. new[] { "refs/heads/main", "refs/heads/dev", "refs/tags/v1" }.Select(r => new FetchTip(r, Hash20.Sha1(System.Text.Encoding.UTF8.GetBytes(r))))];

    [Fact]
    public async Task With_nobody_reached_a_key_form_fetch_fails_when_the_fake_clock_passes_the_swarm_timeout()
    {
        using var repository = new TempGitRepo(bare: true);
        var time = new FakeTimeProvider();
        var swarm = new UnreachableSwarm();
        var fetch = new TipFetcher(swarm, origin: null, time).FetchAsync(repository.GitDir, Tips(), "refs/heads/main",
            new TipFetchOptions { SwarmTimeout = TimeSpan.FromSeconds(3) }, null, CancellationToken.None);
        await swarm.Asked.Task.WaitAsync(Timeout);
        time.Advance(TimeSpan.FromSeconds(3));
        var result = await fetch.WaitAsync(Timeout);
        Assert.False(result.Outcome.Success);
        Assert.StartsWith("could not fetch from the swarm: refs/heads/main (", result.Outcome.Error, StringComparison.Ordinal);
        Assert.Contains("): no peer has it after 3.0 s; the DHT lookup found 1 peer(s); 127.0.0.1:9: could not connect yet",
            result.Outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nobody_reached_a_host_form_fetch_asks_the_origin_for_everything_once_when_the_fake_clock_passes_the_swarm_timeout()
    {
        using var repository = new TempGitRepo(bare: true);
        var time = new FakeTimeProvider();
        var swarm = new UnreachableSwarm();
        var origin = new RecordingOrigin();
        var reports = new List<FetchReport>();
        var progress = new InlineProgress<FetchReport>(r =>
        {
            lock (reports)
            {
                reports.Add(r);
            }
        });
        var fetch = new TipFetcher(swarm, origin, time).FetchAsync(repository.GitDir, Tips(), "refs/heads/main",
            new TipFetchOptions { SwarmTimeout = TimeSpan.FromSeconds(2) }, progress, CancellationToken.None);
        await swarm.Asked.Task.WaitAsync(Timeout);
        time.Advance(TimeSpan.FromSeconds(2));
        var result = await fetch.WaitAsync(Timeout);
        Assert.True(result.Outcome.Success, result.Outcome.Error);
        Assert.Equal(["refs/heads/dev", "refs/heads/main", "refs/tags/v1"], origin.Fetched);
        Assert.True(result.Connected);
        Assert.Contains(reports, r => r.Message.StartsWith("no peer has ", StringComparison.Ordinal)
            && r.Message.EndsWith(" after 2.0 s, fetching from the origin", StringComparison.Ordinal));
    }
}
