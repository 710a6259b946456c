using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Deploy;

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
        var resolved = await ResolvedAsync();
        Assert.Contains("ConnectionStrings__Postgres: Host=db;", resolved, StringComparison.Ordinal);
        Assert.Contains("image: postgres:16", resolved, StringComparison.Ordinal);
        Assert.Contains("pg_isready", resolved, StringComparison.Ordinal);
        Assert.Contains("/healthz", resolved, StringComparison.Ordinal);
        Assert.Contains("protocol: udp", resolved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeFilePutsNginxWithStickySessionsInFrontOfScalablePortals()
    {
        var resolved = await ResolvedAsync();
        Assert.Contains("image: nginx:", resolved, StringComparison.Ordinal);
        Assert.Contains("deploy/nginx/gittorrent.conf:/etc/nginx/conf.d/default.conf:ro", resolved, StringComparison.Ordinal);
        Assert.Contains("replicas: 1", resolved, StringComparison.Ordinal);
        // Only the proxy publishes the HTTP port, so "--scale portal=3" does not collide on it.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(resolved, "published: 8080"));

        var site = await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "deploy", "nginx", "gittorrent.conf"));
        Assert.Contains("ip_hash;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", site, StringComparison.Ordinal);
    }

    /// <summary>The file as docker-compose resolves it (<c>docker-compose config</c>).</summary>
    private static async Task<string> ResolvedAsync()
    {
        var run = await ProcessRunner.RunAsync(
                "docker-compose", ["-f", Path.Combine(RepositoryLayout.Root, "docker-compose.yml"), "config"], Timeout,
                workingDirectory: RepositoryLayout.Root)
            .WaitAsync(Timeout + TimeSpan.FromSeconds(5));
        Assert.Equal(0, run.ExitCode);
        return string.Join('\n', run.StandardOutput);
    }
}
