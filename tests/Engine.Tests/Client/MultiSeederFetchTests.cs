using System.Net;
using GitTorrent.Engine.Fetch;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Node;
using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Client;

/// <summary>
/// Several seeders of one repository build the same pack (same infohash); a fetch asks them all and downloads from
/// several at once, so rate-limited seeders add up.
/// </summary>
public sealed class MultiSeederFetchTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly TestNodes _nodes = new("gt-multi-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_fetch_from_three_rate_limited_seeders_downloads_from_more_than_one_and_imports_the_pack()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var source = new TempGitRepo();
        var random = new Random(3);
        for (var i = 0; i < 3; i++)
        {
            source.CommitRandomHex($"data{i}.txt", 500_000, random); // about 1.5 MB of pack, many pieces
        }
        var tip = source.Commit();
        var seeders = new List<IPEndPoint>();
        for (var i = 0; i < 3; i++)
        {
            var seeder = await _nodes.StartAsync(new GitTorrentNodeOptions
            {
                StateDirectory = _nodes.Folder($"seeder{i}"),
                Bind = IPAddress.Loopback,
                Bootstrap = [],
                // 1 MiB/s each: one seeder alone would take about 1.5 s, long enough for all three to be asked.
                Limits = new NodeLimits { MaxUploadBytesPerSecond = 1024 * 1024 },
            }, cts.Token);
            seeder.SetRepositories([new ServedRepository("proj", source.GitDir)]);
            seeders.Add(new IPEndPoint(IPAddress.Loopback, seeder.Torrents.Port));
        }
        var client = await _nodes.StartAsync(new GitTorrentNodeOptions
        {
            StateDirectory = _nodes.Folder("client"),
            Bind = IPAddress.Loopback,
            Bootstrap = [],
            FetchTimeout = TimeSpan.FromSeconds(60),
            StallTimeout = TimeSpan.FromSeconds(20),
            AskTimeout = TimeSpan.FromSeconds(20),
        }, cts.Token);

        using var target = new TempGitRepo(bare: true);
        await using var fetcher = new SwarmFetcher(client);
        var result = await fetcher.FetchAsync(tip, [], target.GitDir, new SwarmFetchOptions(seeders) { LookUp = false }, cts.Token);

        Assert.True(result.Success, string.Join("; ", result.Failures));
        var perPeer = client.Torrents.GetDownloadedByPeer(result.InfoHash!.Value);
        var sources = perPeer.Where(p => p.Value > 0).ToList();
        Assert.True(sources.Count >= 2, $"bytes came from {string.Join(", ", perPeer.Select(p => $"{p.Key}={p.Value}"))}");
        Assert.All(sources, s => Assert.Contains(s.Key, seeders));
        target.Git("update-ref", "refs/heads/main", tip.ToString());
        target.Git("fsck", "--strict");
    }
}
