using System.Net;
using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.TestSupport;
using GitTorrent.Web.Node;

namespace GitTorrent.Web.Tests.Node;

/// <summary>The portal's fetch of one crawled repository: the helper's routine and requests, and refs git refuses.</summary>
public sealed class CrawledRepositoryFetchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_helper_and_the_portal_send_byte_identical_requests_for_the_same_repository_state()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var work = new TempDirectory("identical-requests");
        await using var dht = await PrivateDht.StartAsync(live: 2, departed: 2, cancellationToken: cts.Token);
        var bootstrap = dht.Bootstrap.Split(',');

        // Alice's repository (branches and tags off main) and her signed profile in the DHT.
        using var source = new TempGitRepo();
        for (var i = 0; i < 3; i++)
        {
            source.Commit($"f{i}.txt", $"{i} {Guid.NewGuid()}\n");
        }
        for (var b = 0; b < 6; b++)
        {
            source.Git("checkout", "-q", "-b", $"topic/{b}", "main~1");
            source.Commit($"t{b}.txt", $"topic {b}\n");
        }
        source.Git("checkout", "-q", "main");
        source.Git("tag", "v1", "main~2");
        var tip = Hash20.Parse(source.Git("rev-parse", "main").Trim());
        await using var alice = await StartNodeAsync(Path.Combine(work.Path, "alice"), bootstrap, cts.Token);
        using var identity = UserIdentity.Generate();
        var profile = await ProfileBuilder.BuildAsync([new ServedRepository("proj", source.GitDir)], "Alice", null, cts.Token);
        await alice.PublishProfileAsync(identity, profile, 10, cts.Token);
        var refs = profile.Repositories["proj"].ToDictionary(r => r.Key, r => r.Value.ToString(), StringComparer.Ordinal);

        // The only peer announcing main records each request and refuses it.
        await using var recorder = await RecordingSeeder.StartAsync("not here", cts.Token);
        Assert.True(await dht.AnnounceAsync(tip, recorder.Port, cts.Token) > 0);

        // The remote helper: git clone by key, into an empty repository.
        var env = HelperEnvironment.For(Path.Combine(work.Path, "home"), dht.Bootstrap);
        var clone = await ProcessRunner.RunAsync("git", ["clone", "--bare", $"gittorrent://{identity.UserId}/proj", Path.Combine(work.Path, "clone")],
            Timeout, env);
        Assert.NotEqual(0, clone.ExitCode);
        Assert.True(recorder.Requests.Count == 1, clone.Describe());

        // The portal: the same repository as the crawler stores it (refs and guessed HEAD), into an empty repository.
        await using var portalNode = await StartNodeAsync(Path.Combine(work.Path, "portal"), bootstrap, cts.Token);
        await using var swarm = new SwarmFetcher(portalNode);
        using var target = new TempGitRepo(bare: true);
        var result = await new CrawledRepositoryFetch(swarm, new TipFetchOptions())
            .FetchAsync(target.GitDir, UserProfile.GuessHeadTarget(profile.Repositories["proj"]), refs, null, cts.Token);
        Assert.False(result.Fetched);
        Assert.Contains("not here", result.Error, StringComparison.Ordinal);

        Assert.Equal(2, recorder.Requests.Count);
        Assert.Equal(recorder.Requests[0], recorder.Requests[1]);
        Assert.True(GitTorrentMessage.TryDecode(recorder.Requests[0], out var request, out _));
        Assert.Equal(tip, request.Sha);
        Assert.Equal(7, request.Wants.Count); // the six topic branches and the commit of v1 (HEAD is main)
        Assert.Empty(request.Haves);
    }

    /// <summary>A GitTorrent node on loopback in the private DHT, joined.</summary>
    private static async Task<GitTorrentNode> StartNodeAsync(string state, string[] bootstrap, CancellationToken cancellationToken)
    {
        var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions { StateDirectory = state, Bind = IPAddress.Loopback, Bootstrap = bootstrap },
            null, cancellationToken);
        await node.Joined.WaitAsync(cancellationToken);
        return node;
    }

    [Fact]
    public async Task Refs_git_will_not_write_are_reported_one_by_one_and_the_others_are_written()
    {
        using var source = new TempGitRepo();
        var first = source.Commit().ToString();
        var second = source.Commit().ToString();
        using var target = new TempGitRepo(bare: true);
        TempGitRepo.Run(target.Root, "fetch", "-q", source.GitDir, "main:refs/heads/main");
        // refs/heads/x and refs/heads/x/y cannot both exist (a file and a folder of the same name).
        var refs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HEAD"] = second,
            ["refs/heads/main"] = second,
            ["refs/heads/x"] = first,
            ["refs/heads/x/y"] = second,
            ["refs/tags/v1"] = first,
        };
        using var cts = new CancellationTokenSource(Timeout);
        var errors = await CrawledRepositoryFetch.WriteRefsAsync(target.GitDir, "refs/heads/main", refs, cts.Token);
        var error = Assert.Single(errors);
        Assert.StartsWith("refs/heads/x/y: ", error, StringComparison.Ordinal);
        Assert.Equal(first, TempGitRepo.Run(target.GitDir, "rev-parse", "refs/heads/x").Trim());
        Assert.Equal(first, TempGitRepo.Run(target.GitDir, "rev-parse", "refs/tags/v1").Trim());
        Assert.Equal("refs/heads/main", TempGitRepo.Run(target.GitDir, "symbolic-ref", "HEAD").Trim());
    }
}
