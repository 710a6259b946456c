using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// A real smart-HTTP git server for tests: lighttpd (Debian) running git's own http-backend as CGI on
/// 127.0.0.1, serving every repository under <see cref="Root"/> at http://127.0.0.1:PORT/git/NAME.
/// </summary>
public sealed class GitHttpServer : IDisposable
{
    private readonly Process _process;
    private readonly string _configDir;

    private GitHttpServer(string root, int port, Process process, string configDir)
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
        var psi = new ProcessStartInfo(lighttpd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-D");
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(configPath);
        var process = Process.Start(psi)!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("lighttpd exited: " + await process.StandardError.ReadToEndAsync());
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new GitHttpServer(root, port, process, configDir);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        process.Kill(true);
        throw new TimeoutException("lighttpd did not start listening within 10 s");
    }

    public string UrlOf(string repository) => $"http://{Authority}/git/{repository}";

    public void Dispose()
    {
        try
        {
            _process.Kill(true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        Directory.Delete(_configDir, true);
    }
}
