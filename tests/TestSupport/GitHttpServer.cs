using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// A real smart-HTTP git server for tests: lighttpd (Debian) running git's own http-backend as CGI on
/// 127.0.0.1, serving every repository under <see cref="Root"/> at http://127.0.0.1:PORT/git/NAME.
/// </summary>
public sealed class GitHttpServer : IDisposable
{
    private readonly ProcessRunner _process;
    private readonly string _configDir;

    private GitHttpServer(string root, int port, ProcessRunner process, string configDir)
    {
        Root = root;
        Port = port;
        _process = process;
        _configDir = configDir;
    }

    public string Root { get; }

    public int Port { get; }

    /// <summary>Host part for a host-form URL, e.g. <c>127.0.0.1:8123</c>.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    public static async Task<GitHttpServer> StartAsync(string root)
    {
        const string lighttpd = "/usr/sbin/lighttpd";
        const string backend = "/usr/lib/git-core/git-http-backend";
        if (!File.Exists(lighttpd) || !File.Exists(backend))
        {
            throw new InvalidOperationException("lighttpd or git-http-backend is missing: run ./test.sh, which installs them.");
        }
        var port = FreePorts.Tcp();
        var configDir = Path.Combine(Path.GetTempPath(), "gt-lighttpd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(configDir);
        var config = $$"""
            server.document-root = "{{root}}"
            server.bind = "127.0.0.1"
            server.port = {{port}}
            server.errorlog = "{{configDir}}/error.log"
            server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
            alias.url = ("/git" => "{{backend}}")
            $HTTP["url"] =~ "^/git(/|$)" {
              cgi.assign = ("" => "")
              setenv.add-environment = ("GIT_PROJECT_ROOT" => "{{root}}", "GIT_HTTP_EXPORT_ALL" => "1")
            }
            """;
        var configPath = Path.Combine(configDir, "lighttpd.conf");
        await File.WriteAllTextAsync(configPath, config);
        var process = ProcessRunner.Start(lighttpd, ["-D", "-f", configPath]);
        try
        {
            await Condition.WaitUntilAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
                        throw new InvalidOperationException("lighttpd exited: " + process.Describe());
                    }
                    try
                    {
                        using var client = new TcpClient();
                        await client.ConnectAsync(IPAddress.Loopback, port);
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                },
                "lighttpd listening", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
            return new GitHttpServer(root, port, process, configDir);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public string UrlOf(string repository) => $"http://{Authority}/git/{repository}";

    public void Dispose()
    {
        _process.Stop(TimeSpan.FromSeconds(5));
        Directory.Delete(_configDir, true);
    }
}
