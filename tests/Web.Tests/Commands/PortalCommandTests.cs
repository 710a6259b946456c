using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Commands;

/// <summary>The portal's maintenance commands on a fresh data folder (SQLite inside it).</summary>
public sealed class PortalCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhoamiPrintsTheSameFortyHexIdEveryTime()
    {
        using var data = new TempDirectory("portal-cmd");
        var first = await RunAsync(data.Path, "whoami");
        Assert.True(first.ExitCode == 0, first.Describe());
        var id = Assert.Single(first.StandardOutput);
        Assert.Matches("^[0-9a-f]{40}$", id);
        // The key is in the database (shared by replicas), encrypted; no key file is written any more.
        Assert.False(File.Exists(Path.Combine(data.Path, "identity")));
        var second = await RunAsync(data.Path, "whoami");
        Assert.Equal(id, Assert.Single(second.StandardOutput));
    }

    [Fact]
    public async Task WhoamiKeepsTheIdOfAnInstallThatHadAnIdentityFile()
    {
        using var data = new TempDirectory("portal-cmd");
        using var old = GitTorrent.Engine.Profiles.UserIdentity.Generate();
        old.Save(Path.Combine(data.Path, "identity"));
        var first = await RunAsync(data.Path, "whoami");
        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.Equal([old.UserId.ToString()], first.StandardOutput);
        Assert.Contains(first.StandardError, l => l.Contains("Imported the portal identity", StringComparison.Ordinal));
        var second = await RunAsync(data.Path, "whoami");
        Assert.Equal([old.UserId.ToString()], second.StandardOutput);
    }

    [Fact]
    public async Task MirrorCommandsAddListAndReportSyncFailures()
    {
        using var data = new TempDirectory("portal-cmd");
        var badInterval = await RunAsync(data.Path, "mirror", "add", "https://example.invalid/x.git", "--interval", "soon");
        Assert.Equal(2, badInterval.ExitCode);
        var badUrl = await RunAsync(data.Path, "mirror", "add", "ext::sh -c touch% /tmp/pwned");
        Assert.Equal(1, badUrl.ExitCode);
        Assert.Contains(badUrl.StandardError, l => l.Contains("http:// or https://", StringComparison.Ordinal));

        var added = await RunAsync(data.Path, "mirror", "add", "http://127.0.0.1:1/x.git", "--interval", "15m");
        Assert.True(added.ExitCode == 0, added.Describe());
        Assert.Contains(added.StandardOutput, l => l.StartsWith("Added mirror 'x'", StringComparison.Ordinal));
        var again = await RunAsync(data.Path, "mirror", "add", "http://127.0.0.1:1/x.git");
        Assert.Equal(1, again.ExitCode);

        var list = await RunAsync(data.Path, "mirror", "list");
        Assert.Equal(0, list.ExitCode);
        var line = Assert.Single(list.StandardOutput, l => l.StartsWith("x\t", StringComparison.Ordinal));
        Assert.Contains("every 15m", line, StringComparison.Ordinal);
        Assert.Contains("never synced", line, StringComparison.Ordinal);

        var sync = await RunAsync(data.Path, "mirror", "sync", "x");
        Assert.Equal(1, sync.ExitCode);
        Assert.Contains(sync.StandardError, l => l.StartsWith("mirror sync: x:", StringComparison.Ordinal));
        var listed = await RunAsync(data.Path, "mirror", "list");
        Assert.Contains(listed.StandardOutput, l => l.StartsWith("x\t", StringComparison.Ordinal) && l.Contains("error:", StringComparison.Ordinal));
        var missing = await RunAsync(data.Path, "mirror", "sync", "nope");
        Assert.Equal(1, missing.ExitCode);
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
