using System.Text.Json;
using System.Net;
using System.Net.Sockets;

namespace GitTorrent.TestSupport.Portal;

/// <summary>The real portal: <c>dotnet GitTorrent.Web.dll --urls http://127.0.0.1:&lt;free port&gt;</c>.</summary>
public sealed class PortalProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120); // a deadline, not a speed claim: a loaded 2-core machine starts a portal in 20-70 s
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private PortalProcess(ProcessRunner runner, Uri baseAddress)
    {
        Runner = runner;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ProcessRunner Runner { get; }

    public HttpClient Http { get; }

    public string DataDirectory { get; private init; } = "";

    public int Port { get; private init; }

    public static string WebDll => RepositoryLayout.Output("src/Web", "GitTorrent.Web.dll");

    /// <summary>Starts the portal and waits until <c>/healthz</c> answers 200.</summary>
    public static Task<PortalProcess> StartAsync(PortalStorage storage, IReadOnlyDictionary<string, string?>? settings = null) =>
        StartAsync(storage.DataDirectory, storage.PostgresConnectionString, settings);

    /// <summary>Starts a portal on its own data folder (replicas share one database, each has its own folder).</summary>
    public static async Task<PortalProcess> StartAsync(string dataDirectory, string? postgres, IReadOnlyDictionary<string, string?>? settings = null,
        string? webDll = null)
    {
        webDll ??= WebDll;
        var port = FreePorts.Tcp();
        var environment = Environment(dataDirectory, postgres);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var runner = ProcessRunner.Start(
            "dotnet", [webDll, "--urls", $"http://127.0.0.1:{port}"], environment, Path.GetDirectoryName(webDll));
        var portal = new PortalProcess(runner, new Uri($"http://127.0.0.1:{port}/")) { DataDirectory = dataDirectory, Port = port };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (runner.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with {runner.ExitCode} while starting:\n{runner.Describe()}");
            }

            try
            {
                using var response = await portal.Http.GetAsync(new Uri("healthz", UriKind.Relative)).WaitAsync(TimeSpan.FromSeconds(30));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return portal;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        await portal.DisposeAsync();
        throw new TimeoutException($"The portal did not answer /healthz within {StartTimeout}:\n{runner.Describe()}");
    }

    /// <summary>Polls <paramref name="page"/> until it answers 200 with <paramref name="expected"/> in it, or fails after <paramref name="timeout"/>.</summary>
    public Task WaitForPageAsync(string page, string expected, TimeSpan timeout)
    {
        var last = "";
        return Condition.WaitUntilAsync(async () =>
            {
                using var response = await Http.GetAsync(new Uri(page, UriKind.Relative)).WaitAsync(timeout);
                last = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadAsStringAsync().WaitAsync(timeout)).Contains(expected, StringComparison.Ordinal);
            },
            $"{page} showing {expected}", timeout, TimeSpan.FromMilliseconds(250), () => $"last status {last}\n{Runner.Describe()}");
    }

    /// <summary>GETs <paramref name="path"/> and returns the body; a status other than 200 fails with the status and the body's start.</summary>
    public async Task<string> GetOkAsync(string path, TimeSpan timeout)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(timeout);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(timeout);
        return response.StatusCode == HttpStatusCode.OK
            ? body
            : throw new HttpRequestException($"{path}: {(int)response.StatusCode}\n{body[..Math.Min(body.Length, 2000)]}");
    }

    /// <summary>
    /// Polls the JSON at <paramref name="path"/> until it answers 200 and its <paramref name="property"/> satisfies
    /// <paramref name="done"/>; returns that answer, or fails after <paramref name="timeout"/> with the last one.
    /// </summary>
    public async Task<JsonDocument> WaitForJsonAsync(string path, string property, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        JsonDocument? result = null;
        var last = "";
        await Condition.WaitUntilAsync(async () =>
            {
                using var response = await Http.GetAsync(new Uri(path, UriKind.Relative)).WaitAsync(timeout);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync().WaitAsync(timeout)}";
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                var document = JsonDocument.Parse(last[4..]);
                if (document.RootElement.TryGetProperty(property, out var value) && done(value))
                {
                    result = document;
                    return true;
                }
                document.Dispose();
                return false;
            },
            $"{path} reaching the expected {property}", timeout, TimeSpan.FromMilliseconds(200), () => $"last answer: {last}\n{Runner.Describe()}");
        return result!;
    }

    /// <summary>Runs a maintenance command (<c>migrate</c>, <c>admin create-user x</c>, ...) to completion.</summary>
    public static Task<ProcessRunner> RunCommandAsync(PortalStorage storage, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [WebDll, .. args], CommandTimeout, Environment(storage), Path.GetDirectoryName(WebDll));

    public static Dictionary<string, string?> Environment(PortalStorage storage) =>
        Environment(storage.DataDirectory, storage.PostgresConnectionString);

    /// <summary>The portal's environment: our settings only, nothing inherited that could change the outcome.</summary>
    public static Dictionary<string, string?> Environment(string dataDirectory, string? postgres) => new()
    {
        ["GitTorrent__DataDir"] = dataDirectory,
        ["ConnectionStrings__Postgres"] = postgres,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = null,
        ["ASPNETCORE_URLS"] = null,
        ["GitTorrent__Bitcoin__Rpc"] = null,
        // The portal's node stays on loopback, on free ports, and never contacts a public router.
        ["GitTorrent__Bootstrap"] = "",
        ["GitTorrent__DhtPort"] = "0",
        ["GitTorrent__BtPort"] = "0",
        ["GitTorrent__Bind"] = "127.0.0.1",
    };

    public async Task StopAsync() => await Runner.StopAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Runner.DisposeAsync();
    }
}
