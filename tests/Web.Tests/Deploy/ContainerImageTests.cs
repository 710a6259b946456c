using System.Net;
using GitTorrent.TestSupport;

namespace GitTorrent.Web.Tests.Deploy;

/// <summary>
/// The unchanged Dockerfile builds with buildah (<c>--isolation chroot</c>, no registry: stand-in base images made by
/// <c>tests/Container/standin-images.sh</c> from a Debian minbase and this machine's .NET, cached) and the image serves
/// <c>/healthz</c> through <c>buildah run</c>, including the image's own HEALTHCHECK command (curl). podman run is
/// refused in this sandbox, so the container runs under buildah's chroot isolation on the host's network.
/// </summary>
public sealed class ContainerImageTests
{
    private const string Buildah = "/usr/bin/buildah";
    private const string Image = "localhost/gittorrent/portal:test";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_unchanged_Dockerfile_builds_with_buildah_and_the_image_serves_healthz()
    {
        if (!File.Exists(Buildah))
        {
            // Only where buildah cannot be installed at all (./test.sh installs it on Debian): say so, do not pretend.
            Console.WriteLine($"ContainerImageTests: {Buildah} is not installed, so the image was not built. Run ./test.sh to install buildah and debootstrap.");
            return;
        }

        var standins = await ProcessRunner.RunAsync("bash", [Path.Combine(RepositoryLayout.Root, "tests", "Container", "standin-images.sh")], BuildTimeout)
            .WaitAsync(BuildTimeout + Timeout);
        Assert.True(standins.ExitCode == 0, standins.Describe());

        var build = await ProcessRunner.RunAsync(Buildah,
                ["bud", "--pull-never", "--isolation", "chroot", "--layers", "--format", "docker", "-t", Image, "-f", "Dockerfile", "."],
                BuildTimeout, workingDirectory: RepositoryLayout.Root)
            .WaitAsync(BuildTimeout + Timeout);
        Assert.True(build.ExitCode == 0, build.Describe());
        var healthcheck = await ProcessRunner.RunAsync(Buildah, ["inspect", "--type", "image", "--format", "{{.Docker.Config.Healthcheck.Test}} {{.Docker.Config.User}}", Image], Timeout);
        Assert.Contains("http://127.0.0.1:8080/healthz", string.Join('\n', healthcheck.StandardOutput), StringComparison.Ordinal);

        var container = Assert.Single((await ProcessRunner.RunAsync(Buildah, ["from", "--pull-never", Image], Timeout)).StandardOutput);
        var port = FreePorts.Tcp();
        try
        {
            string[] settings =
            [
                "--env", $"Urls=http://127.0.0.1:{port}", "--env", "GitTorrent__Bootstrap=", "--env", "GitTorrent__DhtPort=0",
                "--env", "GitTorrent__BtPort=0", "--env", "GitTorrent__Bind=127.0.0.1",
            ];
            await using var portal = ProcessRunner.Start(Buildah, ["run", "--isolation", "chroot", .. settings, container, "--", "dotnet", "GitTorrent.Web.dll"]);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                Assert.False(portal.HasExited, "the portal in the image exited:\n" + portal.Describe());
                try
                {
                    using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative)).WaitAsync(Timeout);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                Assert.True(DateTime.UtcNow < deadline, "the image never answered /healthz:\n" + portal.Describe());
                await Task.Delay(500);
            }

            // The image's HEALTHCHECK command, run inside the image.
            var curl = await ProcessRunner.RunAsync(Buildah, ["run", "--isolation", "chroot", container, "--", "curl", "-fsS", $"http://127.0.0.1:{port}/healthz"], Timeout);
            Assert.True(curl.ExitCode == 0, curl.Describe());

            // buildah passes SIGTERM on to the portal; killing buildah itself would leave the portal running.
            await ProcessRunner.RunAsync("kill", ["-TERM", portal.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Timeout);
            await portal.WaitForExitAsync(Timeout);
        }
        finally
        {
            StopPortalsListeningOn(port);
            await ProcessRunner.RunAsync(Buildah, ["rm", container], Timeout);
        }
    }

    /// <summary>Kills what is left of the portal this test started in the image (found by the port in its environment).</summary>
    private static void StopPortalsListeningOn(int port)
    {
        var marker = $"Urls=http://127.0.0.1:{port}\0";
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(folder, "environ")).Contains(marker, StringComparison.Ordinal))
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone already, or not ours to read.
            }
        }
    }
}
