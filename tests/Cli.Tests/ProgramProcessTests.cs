using GitTorrent.Tests.Shared;

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
    public async Task GittorrentUnimplementedCommandExits2()
    {
        using var home = new TempDirectory("cli-home");
        var run = await ProcessRunner.RunAsync(
                "dotnet", [Gittorrent, "whoami"], Timeout, new Dictionary<string, string?> { ["GITTORRENT_HOME"] = home.Path })
            .WaitAsync(Timeout);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["gittorrent whoami: not implemented yet"], run.StandardError);
        Assert.Empty(run.StandardOutput);
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
    public async Task RemoteHelperWithAGittorrentUrlIsNotImplementedYet()
    {
        var run = await ProcessRunner.RunAsync(
                "dotnet", [RemoteHelper, "origin", "gittorrent://0123456789abcdef0123456789abcdef01234567/repo"], Timeout)
            .WaitAsync(Timeout);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["git-remote-gittorrent: not implemented yet"], run.StandardError);
    }
}
