using GitTorrent.Tests.Shared;

namespace GitTorrent.Web.Tests;

/// <summary>The portal's maintenance commands that do not need a database.</summary>
public sealed class PortalCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("whoami")]
    [InlineData("mirror", "list")]
    [InlineData("mirror", "add", "https://example.invalid/x.git")]
    [InlineData("mirror", "sync", "x")]
    public async Task CommandsNotBuiltYetSaySoAndExit2(params string[] args)
    {
        using var data = new TempDirectory("portal-cmd");
        var run = await RunAsync(data.Path, args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.StandardError, l => l == $"{args[0]}: not implemented yet");
    }

    [Fact]
    public async Task HelpListsEveryMaintenanceCommand()
    {
        using var data = new TempDirectory("portal-cmd");
        var run = await RunAsync(data.Path, "--help");
        Assert.Equal(0, run.ExitCode);
        var text = string.Join('\n', run.StandardOutput);
        foreach (var usage in new[] { "migrate", "admin create-user <name>", "whoami", "mirror add <origin-url>", "mirror list", "mirror sync <name>" })
        {
            Assert.Contains("\n  " + usage, text, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(data.Path, "gittorrent.db")), "help touched the database");
    }

    [Fact]
    public async Task UnknownCommandExits2AndListsTheCommands()
    {
        using var data = new TempDirectory("portal-cmd");
        var run = await RunAsync(data.Path, "frobnicate");
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StandardError);
        Assert.Contains("Unknown command 'frobnicate'", line, StringComparison.Ordinal);
        Assert.Contains("migrate", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminWithoutAValidNameExits2WithUsage()
    {
        using var data = new TempDirectory("portal-cmd");
        var missing = await RunAsync(data.Path, "admin", "create-user");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(missing.StandardError, l => l.Contains("admin create-user <name>", StringComparison.Ordinal));

        var bad = await RunAsync(data.Path, "admin", "create-user", "no spaces allowed");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(bad.StandardError, l => l.Contains("is not a valid name", StringComparison.Ordinal));
    }

    private static Task<ProcessRunner> RunAsync(string dataDirectory, params string[] args) =>
        ProcessRunner.RunAsync(
                "dotnet", [PortalProcess.WebDll, .. args], Timeout, PortalProcess.Environment(dataDirectory, null),
                Path.GetDirectoryName(PortalProcess.WebDll))
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));
}
