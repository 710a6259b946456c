using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>The real git running the real helper for gittorrent:// URLs.</summary>
public sealed class GitCloneEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>An environment where git finds git-remote-gittorrent on PATH and no DHT is reachable.</summary>
    internal static Dictionary<string, string?> HelperEnvironment(string home) => GitTorrent.TestSupport.HelperEnvironment.For(home, plainHttpOrigins: true);

    [Fact]
    public async Task Git_clone_of_a_host_form_url_with_no_seeder_falls_back_to_the_origin()
    {
        using var work = new TempDirectory("clone-e2e");
        var root = Path.Combine(work.Path, "srv");
        Directory.CreateDirectory(root);
        using var source = new TempGitRepo();
        source.Commit();
        source.Git("checkout", "-q", "-b", "feature");
        source.Commit();
        source.Git("checkout", "-q", "main");
        source.Commit();
        TempGitRepo.Run(root, "clone", "-q", "--bare", source.Root, Path.Combine(root, "proj.git"));
        using var server = await GitHttpServer.StartAsync(root);

        var target = Path.Combine(work.Path, "clone");
        var env = HelperEnvironment(Path.Combine(work.Path, "home"));
        var clone = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://{server.Authority}/git/proj.git", target], Timeout, env)
            .WaitAsync(Timeout);
        Assert.True(clone.ExitCode == 0, string.Join('\n', clone.AllOutput));
        Assert.Contains(clone.StandardError, l => l.Contains("from the origin", StringComparison.Ordinal));

        TempGitRepo.Run(target, "fsck", "--strict");
        Assert.Equal(source.Git("rev-parse", "main", "feature"), TempGitRepo.Run(target, "rev-parse", "main", "origin/feature"));
        Assert.Equal("main", TempGitRepo.Run(target, "symbolic-ref", "--short", "HEAD").Trim());

        // A later fetch after new commits moves only what is new.
        var next = source.Commit();
        TempGitRepo.Run(Path.Combine(root, "proj.git"), "fetch", "-q", source.Root, "+refs/heads/*:refs/heads/*");
        var fetch = await ProcessRunner.RunAsync("git", ["-C", target, "fetch", "origin"], Timeout, env).WaitAsync(Timeout);
        Assert.True(fetch.ExitCode == 0, string.Join('\n', fetch.AllOutput));
        Assert.Equal(next.ToString(), TempGitRepo.Run(target, "rev-parse", "origin/main").Trim());
    }

    [Fact]
    public async Task Git_clone_of_an_unknown_origin_fails_with_a_message_and_leaves_nothing()
    {
        using var work = new TempDirectory("clone-e2e");
        var port = FreePorts.Tcp();
        var target = Path.Combine(work.Path, "clone");
        var clone = await ProcessRunner.RunAsync("git", ["clone", $"gittorrent://127.0.0.1:{port}/none/here", target], Timeout,
            HelperEnvironment(Path.Combine(work.Path, "home"))).WaitAsync(Timeout);
        Assert.NotEqual(0, clone.ExitCode);
        Assert.Contains(clone.StandardError, l => l.Contains($"127.0.0.1:{port}/none/here", StringComparison.Ordinal));
        Assert.False(Directory.Exists(target));
    }
}
