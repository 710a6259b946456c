using System.Net;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Node;

/// <summary>Several GitTorrent nodes on loopback: seeding, fetching a commit through ut_gittorrent, profiles.</summary>
public sealed class GitTorrentNodeTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gt-node-" + Guid.NewGuid().ToString("N"));
    private readonly List<GitTorrentNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<GitTorrentNode> StartNodeAsync(string name, GitTorrentNode? bootstrap = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var node = await GitTorrentNode.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(_root, name),
            Bind = IPAddress.Loopback,
            Bootstrap = bootstrap is null ? [] : [$"127.0.0.1:{bootstrap.Dht.LocalEndPoint.Port}"],
            FetchTimeout = TimeSpan.FromSeconds(30),
            StallTimeout = TimeSpan.FromSeconds(10),
            AskTimeout = TimeSpan.FromSeconds(5),
        }, null, cts.Token);
        _nodes.Add(node);
        await node.Joined.WaitAsync(TimeSpan.FromSeconds(30));
        return node;
    }

    private async Task<(GitTorrentNode Seeder, GitTorrentNode Client, TempGitRepo Source)> TwoNodesAsync()
    {
        var seeder = await StartNodeAsync("seeder");
        var client = await StartNodeAsync("client", seeder);
        await seeder.Dht.AddNode(client.Dht.LocalEndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        var source = new TempGitRepo();
        return (seeder, client, source);
    }

    [Fact]
    public async Task A_client_fetches_an_announced_commit_from_a_seeder_and_the_pack_is_reused()
    {
        var (seeder, client, source) = await TwoNodesAsync();
        using var _ = source;
        source.Commit();
        var tip = source.Commit();
        seeder.SetRepositories([new ServedRepository("proj", source.GitDir)]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await seeder.AnnounceTipsAsync(cts.Token));

        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var result = await fetcher.FetchAsync(tip, [], target.GitDir, cts.Token);

        Assert.True(result.Success, string.Join("; ", result.Failures));
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");
        var stats = seeder.GetStatistics();
        var pack = Assert.Single(stats.Packs);
        Assert.Equal(tip.ToString(), pack.Commit);
        Assert.True(pack.Uploaded > 0);
        Assert.True(File.Exists(Path.Combine(_root, "seeder", "packs", pack.InfoHash + ".pack")));
        Assert.True(File.Exists(Path.Combine(_root, "seeder", "packs", pack.InfoHash + ".torrent")));

        // The same request again is answered from the cache: same infohash, no new pack.
        var again = await seeder.GetPackInfoHashAsync(tip, [], cts.Token);
        Assert.Equal(pack.InfoHash, again.ToString());
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "seeder", "packs"), "*.pack"));
    }

    [Fact]
    public async Task A_commit_nobody_serves_fails_with_reasons_and_leaves_no_objects()
    {
        var (seeder, client, source) = await TwoNodesAsync();
        using var _ = source;
        var tip = source.Commit();
        seeder.SetRepositories([new ServedRepository("proj", source.GitDir)]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await seeder.AnnounceTipsAsync(cts.Token);

        // The seeder announces nothing for this commit: nobody to ask.
        var unknown = Hash20.Parse("00000000000000000000000000000000000000ff");
        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var none = await fetcher.FetchAsync(unknown, [], target.GitDir, cts.Token);
        Assert.False(none.Success);
        Assert.Contains("no peer announces this commit", none.Failures);

        // Asked directly for a commit it does not have, the seeder refuses the handshake.
        var direct = new GitTorrentNodeOptions
        {
            StateDirectory = Path.Combine(_root, "direct"),
            Bind = IPAddress.Loopback,
            ExtraPeers = [new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port)],
            FetchTimeout = TimeSpan.FromSeconds(20),
        };
        await using var directNode = await GitTorrentNode.StartAsync(direct, null, cts.Token);
        await using var directFetcher = new SwarmFetcher(directNode);
        var refused = await directFetcher.FetchAsync(unknown, [], target.GitDir, cts.Token);
        Assert.False(refused.Success);
        Assert.NotEmpty(refused.Failures);
        Assert.Empty(Directory.GetFiles(Path.Combine(target.GitDir, "objects", "pack"), "*.pack"));
    }

    [Fact]
    public async Task Profiles_round_trip_and_large_ones_travel_as_a_manifest_torrent()
    {
        var (seeder, client, source) = await TwoNodesAsync();
        using var _ = source;
        var tip = source.Commit();
        using var identity = UserIdentity.Generate();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var small = await ProfileBuilder.BuildAsync([new ServedRepository("proj", source.GitDir)], "Ada <script>", "ada@example.invalid", cts.Token);
        var seq = await seeder.NextSeqAsync(identity, null, cts.Token);
        await seeder.PublishProfileAsync(identity, small, seq, cts.Token);
        var got = await client.GetProfileAsync(identity.UserId, cts.Token);
        Assert.NotNull(got);
        Assert.Equal(seq, got.Seq);
        Assert.Equal("Ada <script>", got.Profile.Name);
        Assert.Equal(tip, got.Profile.Repositories["proj"]["refs/heads/main"]);

        var large = new UserProfile { Name = "Many" };
        for (var i = 0; i < 60; i++)
        {
            large.Repositories[$"repo-{i}"] = new(StringComparer.Ordinal) { ["HEAD"] = tip, ["refs/heads/main"] = tip };
        }
        var next = await seeder.NextSeqAsync(identity, seq, cts.Token);
        Assert.True(next > seq);
        await seeder.PublishProfileAsync(identity, large, next, cts.Token);
        var expanded = await client.GetProfileAsync(identity.UserId, cts.Token);
        Assert.NotNull(expanded);
        Assert.Equal(next, expanded.Seq);
        Assert.NotNull(expanded.Profile.Manifest);
        Assert.Equal(60, expanded.Profile.Repositories.Count);

        Assert.Null(await client.GetProfileAsync(Hash20.Random(), cts.Token));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
