using System.Net.Sockets;

namespace GitTorrent.TestSupport;

/// <summary>
/// Debian's nginx in front of portal processes, from the shipped <c>deploy/nginx/gittorrent.conf</c> with the upstream
/// servers and the listen address replaced; runs from a temporary prefix (<c>nginx -c FILE -p DIR</c>). Its access log
/// names the replica (upstream address) and status of every request. Also linked by bench/Replicas.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private const string ShippedUpstream = "server portal:8080 max_fails=1 fail_timeout=10s;";
    private const string ShippedListen = "listen 8080;";

    private readonly TempDirectory directory;
    private readonly ProcessRunner runner;

    private NginxProxy(TempDirectory directory, ProcessRunner runner, int port)
    {
        this.directory = directory;
        this.runner = runner;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The master process (its worker is a child).</summary>
    public int ProcessId => runner.Id;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string AccessLog => Path.Combine(directory.Path, "access.log");

    public static async Task<NginxProxy> StartAsync(IEnumerable<int> upstreamPorts, TimeSpan timeout)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: run ./test.sh (it installs Debian's nginx)");
        }

        var directory = new TempDirectory("nginx");
        var port = FreePorts.Tcp();
        var site = await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "deploy", "nginx", "gittorrent.conf"));
        if (!site.Contains(ShippedUpstream, StringComparison.Ordinal) || !site.Contains(ShippedListen, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"deploy/nginx/gittorrent.conf no longer has '{ShippedUpstream}' and '{ShippedListen}' to replace");
        }

        site = site.Replace(ShippedUpstream, string.Join("\n    ", upstreamPorts.Select(p => $"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;")), StringComparison.Ordinal)
            .Replace(ShippedListen, $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
        var d = directory.Path;
        await File.WriteAllTextAsync(Path.Combine(d, "site.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(d, "nginx.conf"), $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            daemon off;
            worker_processes 1;
            pid {{d}}/nginx.pid;
            error_log {{d}}/error.log warn;
            events { worker_connections 4096; }
            http {
                log_format replicas '$msec $status "$upstream_addr" "$upstream_status" $request_time "$request"';
                access_log {{d}}/access.log replicas;
                client_body_temp_path {{d}}/client_body;
                proxy_temp_path {{d}}/proxy;
                fastcgi_temp_path {{d}}/fastcgi;
                uwsgi_temp_path {{d}}/uwsgi;
                scgi_temp_path {{d}}/scgi;
                include {{d}}/site.conf;
            }
            """);
        var runner = ProcessRunner.Start(Binary, ["-c", Path.Combine(d, "nginx.conf"), "-p", d + "/"]);
        var proxy = new NginxProxy(directory, runner, port);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (runner.HasExited)
            {
                throw new InvalidOperationException("nginx exited:\n" + runner.Describe() + ReadError(d));
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port).WaitAsync(timeout);
                return proxy;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public string Describe() => runner.Describe() + ReadError(directory.Path);

    public async ValueTask DisposeAsync()
    {
        await runner.DisposeAsync();
        directory.Dispose();
    }

    private static string ReadError(string folder)
    {
        var path = Path.Combine(folder, "error.log");
        return File.Exists(path) ? "\n" + File.ReadAllText(path) : "";
    }
}
