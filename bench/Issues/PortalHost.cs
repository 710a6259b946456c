using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitTorrent.Bench.Issues;

/// <summary>The real portal (Release build) on its own data folder with embedded SQLite, the DHT and peers on loopback.</summary>
internal sealed class PortalHost : IAsyncDisposable
{
    private readonly Process _process;

    private PortalHost(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>Migrates, adds the owner and the repository rows for a repository already in the store, starts the portal.</summary>
    public static async Task<PortalHost> StartAsync(string webDll, string dataDir, string userId, string repository)
    {
        var environment = new Dictionary<string, string>
        {
            ["GitTorrent__DataDir"] = dataDir,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["GitTorrent__Bootstrap"] = "",
            ["GitTorrent__DhtPort"] = "0",
            ["GitTorrent__BtPort"] = "0",
            ["GitTorrent__Bind"] = "127.0.0.1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        using (var migrate = Start(webDll, ["migrate"], environment))
        {
            await migrate.WaitForExitAsync();
        }
        var factory = new GitTorrentDbContextFactory(
            DatabaseSettings.FromConfiguration(new ConfigurationBuilder().Build(), dataDir), NullLoggerFactory.Instance);
        await using (var db = factory.CreateDbContext())
        {
            var json = "{\"name\":\"Bench Owner\",\"repositories\":{}}";
            var tip = (await Engine.Git.GitRunner.RunAsync(Path.Combine(dataDir, "repos", userId, repository + ".git"), ["rev-parse", "main"], CancellationToken.None)).Trim();
            db.Users.Add(new User
            {
                UserId = userId,
                PublicKey = RandomNumberGenerator.GetBytes(32),
                RawProfile = Encoding.UTF8.GetBytes($"{json.Length}:{json}"),
                Signature = RandomNumberGenerator.GetBytes(64),
                Seq = 1,
                DisplayName = "Bench Owner",
                FirstSeen = DateTimeOffset.UtcNow,
                LastSeen = DateTimeOffset.UtcNow,
                Repositories = [new Repository
                {
                    UserId = userId, Name = repository, Head = "refs/heads/main", LastUpdated = DateTimeOffset.UtcNow,
                    Refs = [new RepositoryRef { Name = "refs/heads/main", Target = tip }, new RepositoryRef { Name = "HEAD", Target = tip }],
                }],
            });
            await db.SaveChangesAsync();
        }
        var port = FreePorts.Tcp();
        var process = Start(webDll, ["--urls", $"http://127.0.0.1:{port}"], environment);
        var host = new PortalHost(process, $"http://127.0.0.1:{port}");
        using var http = new HttpClient();
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync(host.BaseUrl + "/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the portal did not start");
    }

    /// <summary>CPU seconds (user + system) the portal process has used so far.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static Process Start(string webDll, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(webDll)!, RedirectStandardOutput = false };
        foreach (var a in (string[])[webDll, .. args])
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }
        return Process.Start(psi)!;
    }

}
