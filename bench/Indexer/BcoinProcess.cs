using GitTorrent.TestSupport;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Bench.Indexer;

/// <summary>
/// A bcoin 1.0.2 regtest node (in memory, wallet plugin) on free loopback ports, from tests/Interop/node
/// (<c>npm ci</c> there, or ./test.sh, installs it). Same flags as the test harness.
/// </summary>
internal sealed class BcoinProcess : IAsyncDisposable
{
    private const string ApiKey = "bench";
    private readonly Process _process;
    private readonly string _prefix;

    private BcoinProcess(Process process, string prefix, Uri rpc, Uri wallet, HttpClient http)
    {
        (_process, _prefix, RpcUrl, WalletUrl, Http) = (process, prefix, rpc, wallet, http);
        Rpc = new BitcoinRpc(http, rpc, "x", ApiKey);
    }

    public Uri RpcUrl { get; }

    public Uri WalletUrl { get; }

    public HttpClient Http { get; }

    public BitcoinRpc Rpc { get; }

    public string MiningAddress { get; private set; } = "";

    public static async Task<BcoinProcess> StartAsync(CancellationToken ct)
    {
        var entry = Path.Combine(FindRoot(), "tests", "Interop", "node", "node_modules", "bcoin", "bin", "node");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"bcoin is missing ({entry}): run 'npm ci' in tests/Interop/node (./test.sh does).");
        }
        int p2p = FreePorts.Tcp(), http = FreePorts.Tcp(), wallet = FreePorts.Tcp();
        var prefix = Directory.CreateTempSubdirectory("gittorrent-bench-bcoin-").FullName;
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     entry, "--network=regtest", "--memory=true", "--workers=false", "--listen=false", "--max-outbound=1",
                     "--only=127.0.0.1", "--upnp=false", "--index-tx=true", $"--port={p2p}", "--http-host=127.0.0.1",
                     $"--http-port={http}", $"--api-key={ApiKey}", "--wallet-http-host=127.0.0.1", $"--wallet-http-port={wallet}",
                     $"--wallet-api-key={ApiKey}", $"--prefix={prefix}", "--log-level=warning",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("node did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new BcoinProcess(process, prefix, new Uri($"http://127.0.0.1:{http}/"), new Uri($"http://127.0.0.1:{wallet}/"),
            new HttpClient { Timeout = TimeSpan.FromSeconds(60) });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await node.Rpc.GetBlockchainInfoAsync(attempt.Token);
                var address = await node.WalletPostAsync("wallet/primary/address", new JsonObject { ["account"] = "default" }, attempt.Token);
                node.MiningAddress = address.GetProperty("address").GetString()!;
                return node;
            }
            catch (Exception e) when (e is BitcoinRpcException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    await node.DisposeAsync();
                    throw new InvalidOperationException($"bcoin did not come up: {e.Message}");
                }
                await Task.Delay(100, ct);
            }
        }
    }

    public async Task MineAsync(int count, CancellationToken ct)
    {
        while (count > 0)
        {
            var n = Math.Min(count, 500);
            await Rpc.CallAsync("generatetoaddress", [n, MiningAddress], ct);
            count -= n;
        }
    }

    /// <summary>Wallet-built, signed and broadcast transaction with one OP_RETURN output (confirmed coins only).</summary>
    public async Task SendOpReturnAsync(byte[] payload, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["outputs"] = new JsonArray(new JsonObject { ["script"] = Convert.ToHexStringLower(OpReturnExtractor.BuildScript(payload)), ["value"] = 0 }),
            ["rate"] = 1000,
            ["depth"] = 1,
        };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WalletPostAsync("wallet/primary/send", body, ct);
                return;
            }
            catch (InvalidOperationException e) when (attempt < 50 && e.Message.Contains("Not enough funds", StringComparison.Ordinal))
            {
                await Task.Delay(100, ct); // the wallet lags behind blocks just mined
            }
        }
    }

    private async Task<JsonElement> WalletPostAsync(string path, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WalletUrl, path))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"x:{ApiKey}")));
        using var response = await Http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.TryGetProperty("error", out var error) || !response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"bcoin wallet {path}: {(error.ValueKind == JsonValueKind.Undefined ? text : error.ToString())}");
        }
        return doc.RootElement.Clone();
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitTorrent.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("GitTorrent.slnx not found above " + AppContext.BaseDirectory);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        Http.Dispose();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
        return ValueTask.CompletedTask;
    }
}
