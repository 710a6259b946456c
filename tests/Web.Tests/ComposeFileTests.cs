using GitTorrent.Tests.Shared;

namespace GitTorrent.Web.Tests;

/// <summary>docker-compose.yml must stay valid for Debian's docker-compose v1 (3.x schema); ./test.sh installs it.</summary>
public sealed class ComposeFileTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DockerComposeConfigIsValid()
    {
        var compose = Path.Combine(RepositoryLayout.Root, "docker-compose.yml");
        Assert.True(File.Exists(compose), $"{compose} is missing");
        Assert.True(File.Exists("/usr/bin/docker-compose"), "docker-compose is not installed: run ./test.sh (it installs Debian's docker-compose)");

        var run = await ProcessRunner.RunAsync("docker-compose", ["-f", compose, "config", "-q"], Timeout, workingDirectory: RepositoryLayout.Root)
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));
        Assert.True(run.ExitCode == 0, $"docker-compose config -q exited {run.ExitCode}:\n{run.Describe()}");
    }

    [Fact]
    public async Task ComposeFileWiresThePortalToPostgres()
    {
        var run = await ProcessRunner.RunAsync(
                "docker-compose", ["-f", Path.Combine(RepositoryLayout.Root, "docker-compose.yml"), "config"], Timeout,
                workingDirectory: RepositoryLayout.Root)
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));
        Assert.Equal(0, run.ExitCode);
        var resolved = string.Join('\n', run.StandardOutput);
        Assert.Contains("ConnectionStrings__Postgres: Host=db;", resolved, StringComparison.Ordinal);
        Assert.Contains("image: postgres:16", resolved, StringComparison.Ordinal);
        Assert.Contains("pg_isready", resolved, StringComparison.Ordinal);
        Assert.Contains("/healthz", resolved, StringComparison.Ordinal);
        Assert.Contains("protocol: udp", resolved, StringComparison.Ordinal);
    }
}
