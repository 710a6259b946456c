using System.Net;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Deploy;

/// <summary>
/// Every shipped program publishes (<c>dotnet publish -c Release -r linux-x64</c>, as the Dockerfile does for the portal;
/// NETSDK1152 once stopped the portal's publish while <c>dotnet build</c> hid it), and the published portal serves.
/// </summary>
public sealed class PublishTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static readonly (string Project, string Output)[] Programs =
    [
        ("src/Web/GitTorrent.Web.csproj", "GitTorrent.Web.dll"),
        ("src/Indexer/GitTorrent.Indexer.csproj", "GitTorrent.Indexer.dll"),
        ("src/Cli/gittorrent/gittorrent.csproj", "gittorrent.dll"),
        ("src/Cli/git-remote-gittorrent/git-remote-gittorrent.csproj", "git-remote-gittorrent.dll"),
    ];

    [Fact]
    public async Task Every_shipped_program_publishes_for_linux_x64_and_the_published_portal_serves()
    {
        using var output = new TempDirectory("publish");
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        foreach (var (project, dll) in Programs)
        {
            var folder = Path.Combine(output.Path, Path.GetFileNameWithoutExtension(project));
            var publish = await ProcessRunner.RunAsync("dotnet",
                ["publish", Path.Combine(RepositoryLayout.Root, project), "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", folder, "--nologo"],
                PublishTimeout, environment, RepositoryLayout.Root).WaitAsync(PublishTimeout + Timeout);
            Assert.True(publish.ExitCode == 0, $"dotnet publish {project} failed:\n{publish.Describe()}");
            Assert.True(File.Exists(Path.Combine(folder, dll)), $"{dll} is not in the publish output of {project}");
            // One platform's native libraries, not every platform's.
            var platforms = Directory.Exists(Path.Combine(folder, "runtimes")) ? Directory.GetDirectories(Path.Combine(folder, "runtimes")).Select(Path.GetFileName).ToList() : [];
            Assert.All(platforms, p => Assert.Equal("linux-x64", p));
        }

        // The published portal (SQLite in a fresh folder) starts, migrates and serves.
        using var data = new TempDirectory("published-portal");
        await using var portal = await PortalProcess.StartAsync(data.Path, null, null,
            Path.Combine(output.Path, "GitTorrent.Web", "GitTorrent.Web.dll")).WaitAsync(Timeout);
        foreach (var path in new[] { "/healthz", "/readyz", "/" })
        {
            using var response = await portal.Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(Timeout);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}\n{portal.Runner.Describe()}");
        }
    }
}
