using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Remote;

/// <summary>
/// <c>git push gittorrent://</c> where it must not simply succeed: a non-fast-forward push is refused and leaves the
/// store alone, <c>--force</c> moves the ref, a host-form URL and a home without an identity are refused with a
/// message that says what to do. Real git, the real helper, a private loopback DHT with departed nodes.
/// </summary>
public sealed class PushEdgeCaseTests
{
    [Fact]
    public async Task Non_fast_forward_is_refused_force_moves_the_ref_host_form_and_no_identity_are_refused()
    {
        await using var net = await PrivateNetwork.StartAsync(departed: 2);
        var home = net.NewHome("alice");
        var alice = await net.KeygenAsync(home);
        var url = $"gittorrent://{alice}/proj";
        using var work = new TempGitRepo();
        var first = work.Commit("a.txt", "a\n");
        AssertOk(await net.GitAsync(home, "-C", work.Root, "push", url, "main:refs/heads/main"));
        var store = Path.Combine(home, "repos", "proj.git");
        Assert.Equal(first.ToString(), StoreTip(store));

        // History rewritten locally: a plain push is refused by git's usual rule and the store keeps its tip.
        work.Git("commit", "-q", "--amend", "-m", "rewritten");
        var rewritten = work.Git("rev-parse", "HEAD").Trim();
        var refused = await net.GitAsync(home, "-C", work.Root, "push", url, "main:refs/heads/main");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(refused.StandardError, l => l.Contains("non-fast-forward", StringComparison.Ordinal) || l.Contains("fetch first", StringComparison.Ordinal));
        Assert.Equal(first.ToString(), StoreTip(store));

        // --force moves it.
        AssertOk(await net.GitAsync(home, "-C", work.Root, "push", "--force", url, "main:refs/heads/main"));
        Assert.Equal(rewritten, StoreTip(store));

        // A host-form URL names somebody's web origin, not the user's own store.
        var host = await net.GitAsync(home, "-C", work.Root, "push", "gittorrent://127.0.0.1:9/git/proj.git", "main:refs/heads/main");
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(host.StandardError, l => l.Contains("push to gittorrent://<your user id>/<repo>", StringComparison.Ordinal));

        // A home without an identity is told to make one, and nothing is written.
        var nobody = net.NewHome("nobody");
        var noIdentity = await net.GitAsync(nobody, "-C", work.Root, "push", url, "main:refs/heads/other");
        Assert.NotEqual(0, noIdentity.ExitCode);
        Assert.Contains(noIdentity.StandardError, l => l.Contains("gittorrent keygen", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(nobody, "repos", "proj.git")));
        Assert.Equal("", TempGitRepo.Run(store, "for-each-ref", "refs/heads/other").Trim());
    }

    private static string StoreTip(string store) => TempGitRepo.Run(store, "rev-parse", "refs/heads/main").Trim();

    private static void AssertOk(ProcessRunner run) => Assert.True(run.ExitCode == 0, run.Describe());
}
