using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests;

/// <summary>The two real programs, run as processes.</summary>
public sealed class ProgramProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Gittorrent => RepositoryLayout.Output("src/Cli/gittorrent", "gittorrent.dll");

    private static string RemoteHelper => RepositoryLayout.Output("src/Cli/git-remote-gittorrent", "git-remote-gittorrent.dll");

    [Fact]
    public async Task GittorrentHelpExits0()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "--help"], Timeout).WaitAsync(Timeout);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.StandardOutput, l => l.StartsWith("  keygen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeygenCreatesAnIdentityWhoamiPrintsItAndKeygenRefusesToOverwrite()
    {
        using var home = new TempDirectory("cli-home");
        var env = new Dictionary<string, string?> { ["GITTORRENT_HOME"] = home.Path };

        var missing = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "whoami"], Timeout, env).WaitAsync(Timeout);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("gittorrent keygen", Assert.Single(missing.StandardError), StringComparison.Ordinal);

        var keygen = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "keygen"], Timeout, env).WaitAsync(Timeout);
        Assert.Equal(0, keygen.ExitCode);
        var id = Assert.Single(keygen.StandardOutput);
        Assert.Matches("^[0-9a-f]{40}$", id);

        var whoami = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "whoami"], Timeout, env).WaitAsync(Timeout);
        Assert.Equal(0, whoami.ExitCode);
        Assert.Equal([id], whoami.StandardOutput);

        var again = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "keygen"], Timeout, env).WaitAsync(Timeout);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("refusing to overwrite", Assert.Single(again.StandardError), StringComparison.Ordinal);
        var after = await ProcessRunner.RunAsync("dotnet", [Gittorrent, "whoami"], Timeout, env).WaitAsync(Timeout);
        Assert.Equal([id], after.StandardOutput);
    }

    [Theory]
    [InlineData]
    [InlineData("origin")]
    [InlineData("origin", "https://example.invalid/repo.git")]
    [InlineData("a", "b", "c")]
    public async Task RemoteHelperWithBadArgumentsPrintsUsageAndExits2(params string[] args)
    {
        var run = await ProcessRunner.RunAsync("dotnet", [RemoteHelper, .. args], Timeout).WaitAsync(Timeout);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("usage: git-remote-gittorrent <remote-name> <gittorrent://url>", run.StandardError[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteHelperRunByHandWithoutGitDirSaysItIsRunByGit()
    {
        var run = await ProcessRunner.RunAsync(
                "dotnet", [RemoteHelper, "origin", "gittorrent://0123456789abcdef0123456789abcdef01234567/repo"], Timeout,
                new Dictionary<string, string?> { ["GIT_DIR"] = null })
            .WaitAsync(Timeout);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("GIT_DIR is not set", Assert.Single(run.StandardError), StringComparison.Ordinal);
    }
}
