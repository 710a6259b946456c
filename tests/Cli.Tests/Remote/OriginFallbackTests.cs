using GitTorrent.Cli.Remote;
using GitTorrent.Engine;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

public sealed class OriginFallbackTests
{
    [Fact]
    public async Task Host_form_lists_origin_refs_and_fetches_from_the_origin_without_a_swarm()
    {
        var root = Path.Combine(Path.GetTempPath(), "gt-origin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            using var source = new TempGitRepo();
            source.Commit();
            var first = source.Commit();
            source.Git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "tag", "-a", "-m", "release 1", "v1");
            var tip = source.Commit();
            TempGitRepo.Run(root, "clone", "-q", "--bare", source.Root, Path.Combine(root, "proj.git"));
            using var server = await GitHttpServer.StartAsync(root);

            using var target = new TempGitRepo(bare: true);
            var url = GitTorrentUrl.Parse($"gittorrent://{server.Authority}/git/proj.git");
            var stderr = new StringWriter();
            await using var remote = new GitTorrentRemote(url, target.GitDir, new RemoteSettings(target.Root, "http", null),
                new HelperProgress(stderr), swarm: null, profiles: null, publisher: null);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            var refs = await remote.ListAsync(forPush: false, cts.Token);
            Assert.Equal(tip.ToString(), refs.Refs["refs/heads/main"]);
            Assert.Equal("refs/heads/main", refs.HeadTarget);
            var tagObject = refs.Refs["refs/tags/v1"];
            Assert.NotEqual(first.ToString(), tagObject);

            await remote.FetchAsync([new FetchRequest(tip.ToString(), "refs/heads/main"), new FetchRequest(tagObject, "refs/tags/v1")], cts.Token);

            target.Git("update-ref", "refs/heads/main", tip.ToString());
            target.Git("update-ref", "refs/tags/v1", tagObject);
            target.Git("fsck", "--strict");
            Assert.Equal("tag", target.Git("cat-file", "-t", tagObject).Trim());
            Assert.Contains("from the origin", stderr.ToString());
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task An_unreachable_origin_fails_with_a_message_naming_it()
    {
        var port = FreePorts.Tcp();
        using var target = new TempGitRepo(bare: true);
        var url = GitTorrentUrl.Parse($"gittorrent://127.0.0.1:{port}/nothing/here");
        await using var remote = new GitTorrentRemote(url, target.GitDir, new RemoteSettings(target.Root, "http", null),
            new HelperProgress(new StringWriter()), null, null, null);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ex = await Assert.ThrowsAsync<GitTorrentException>(() => remote.ListAsync(false, cts.Token));
        Assert.Contains($"http://127.0.0.1:{port}/nothing/here", ex.Message);
    }

    [Fact]
    public async Task Pushing_to_someone_elses_id_is_refused_with_a_clear_message()
    {
        using var target = new TempGitRepo();
        var own = Hash20.Random();
        var other = Hash20.Random();
        await using var remote = new GitTorrentRemote(GitTorrentUrl.Parse($"gittorrent://{other}/proj"), target.GitDir,
            new RemoteSettings(target.Root, "https", own), new HelperProgress(new StringWriter()), null, null, null);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var results = await remote.PushAsync([new PushRequest("refs/heads/main", "refs/heads/main", false)], cts.Token);
        Assert.Contains("not your user id", results.Single().Error);
    }
}
