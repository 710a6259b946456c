using GitTorrent.Engine.Git;

using GitTorrent.TestSupport;

namespace GitTorrent.Engine.Tests.Git;

public sealed class PackCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gt-packs-" + Guid.NewGuid().ToString("N"));
    private int _torrentsMade;

    // Stands in for the metainfo writer: names the pack by the SHA-1 of its bytes.
    private async Task<(Hash20, byte[])> MakeTorrent(string path, Hash20 commit, CancellationToken ct)
    {
        Interlocked.Increment(ref _torrentsMade);
        var bytes = await File.ReadAllBytesAsync(path, ct);
        return (Hash20.Sha1(bytes), "d4:infode"u8.ToArray());
    }

    [Fact]
    public async Task Concurrent_requests_build_once_and_later_requests_hit_the_cache()
    {
        using var repo = new TempGitRepo();
        repo.Commit();
        var tip = repo.Commit();
        var cache = new PackCache(_dir, 1 << 30);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var results = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => cache.GetOrBuildAsync(repo.Root, tip, [], MakeTorrent, cts.Token)));

        Assert.Equal(1, _torrentsMade);
        Assert.Single(results.Select(r => r.InfoHash).Distinct());
        Assert.True(File.Exists(results[0].PackPath));
        Assert.Equal(Path.Combine(_dir, results[0].InfoHash + ".torrent"), results[0].TorrentPath);

        var again = await new PackCache(_dir, 1 << 30).GetOrBuildAsync(repo.Root, tip, [], MakeTorrent, cts.Token);
        Assert.True(again.FromCache);
        Assert.Equal(results[0].InfoHash, again.InfoHash);
        Assert.Equal(1, _torrentsMade);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public async Task Different_haves_make_different_packs_and_the_size_bound_evicts_the_oldest()
    {
        using var repo = new TempGitRepo();
        var first = repo.Commit("a.txt", new string('a', 5000) + Guid.NewGuid());
        repo.Commit("b.txt", new string('b', 5000) + Guid.NewGuid());
        var third = repo.Commit("c.txt", new string('c', 5000) + Guid.NewGuid());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var probe = new PackCache(_dir + "-probe", 1 << 30);
        var full = await probe.GetOrBuildAsync(repo.Root, third, [], MakeTorrent, cts.Token);
        Directory.Delete(_dir + "-probe", true);

        var cache = new PackCache(_dir, full.Size + 10);
        var evicted = new List<Hash20>();
        cache.Evicted += evicted.Add;
        var a = await cache.GetOrBuildAsync(repo.Root, third, [], MakeTorrent, cts.Token);
        var b = await cache.GetOrBuildAsync(repo.Root, third, [first], MakeTorrent, cts.Token);
        Assert.NotEqual(a.InfoHash, b.InfoHash);
        Assert.True(b.Size < a.Size);

        Assert.Equal([a.InfoHash], evicted);
        Assert.False(File.Exists(a.PackPath));
        Assert.True(File.Exists(b.PackPath));
        Assert.True(cache.TotalBytes <= full.Size + 10);
    }

    [Fact]
    public void Request_key_ignores_order_and_duplicates_of_haves()
    {
        var want = Hash20.Random();
        var (h1, h2) = (Hash20.Random(), Hash20.Random());
        Assert.Equal(PackCache.RequestKey(want, [h1, h2]), PackCache.RequestKey(want, [h2, h1, h2]));
        Assert.NotEqual(PackCache.RequestKey(want, [h1]), PackCache.RequestKey(want, [h2]));
    }

    [Fact]
    public void Request_key_covers_more_wants_in_any_order_and_without_them_is_the_one_commit_key()
    {
        var want = Hash20.Random();
        var (w1, w2, h) = (Hash20.Random(), Hash20.Random(), Hash20.Random());
        Assert.Equal(PackCache.RequestKey(want, [h]), PackCache.RequestKey(want, [h], []));
        Assert.Equal(PackCache.RequestKey(want, [h], [w1, w2]), PackCache.RequestKey(want, [h], [w2, w1, w1, want]));
        Assert.NotEqual(PackCache.RequestKey(want, [h]), PackCache.RequestKey(want, [h], [w1]));
        Assert.NotEqual(PackCache.RequestKey(want, [h], [w1]), PackCache.RequestKey(want, [h], [w2]));
        // A more want is not a have.
        Assert.NotEqual(PackCache.RequestKey(want, [w1]), PackCache.RequestKey(want, [], [w1]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
