using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.TestSupport.Bitcoin;

/// <summary>
/// A real bcoin 1.0.2 regtest node (in-memory chain, wallet plugin) on free loopback ports, for tests.
/// Installed by <c>./test.sh</c> (<c>npm ci</c> in tests/Interop/node, with the leveldown 6.1.1 override that
/// Node 20 needs; plain <c>npm install bcoin</c> fails there on leveldown 4). By hand: <c>cd tests/Interop/node &amp;&amp;
/// npm init -y &amp;&amp; npm pkg set overrides.leveldown=6.1.1 &amp;&amp; npm install bcoin@1.0.2</c>. Started with <see cref="StartAsync"/>.
/// </summary>
/// <remarks>
/// What works with bcoin 1.0.2 (measured):
/// <list type="bullet">
/// <item>Node JSON-RPC: getblockchaininfo, getblockcount, getblockhash (code -8 above the tip), getbestblockhash,
/// getblock &lt;hash&gt; 0, sendrawtransaction, getrawmempool, generatetoaddress (bcoin-format addresses only:
/// taken from the wallet HTTP API), invalidateblock, reconsiderblock.</item>
/// <item>Not there: createrawtransaction with zero inputs ("Cannot serialize zero-input tx", -32603) and
/// fundrawtransaction ("Method not found", -32601); so the CLI's Core wallet flow cannot be exercised here.</item>
/// <item>OP_RETURN transactions: wallet HTTP <c>POST /wallet/primary/send</c> with
/// <c>{"outputs":[{"script":"6a…","value":0}]}</c> builds, signs and broadcasts (80-byte payloads with
/// OP_PUSHDATA1 are accepted). Right after mining, the wallet may lag a moment ("Not enough funds"): retried.</item>
/// <item>Reorganisations: <c>invalidateblock &lt;hash&gt;</c> resets the chain to the block's parent at once
/// (chain._invalidate → _reset; getblockcount drops; with --memory=true, getblock of an orphaned hash then says
/// "Block not found"); mining afterwards builds the competing branch from the parent, so a reorg of any depth
/// is: invalidate the first orphan, then mine the new branch. No second node is needed. The reset also empties
/// the mempool (mempool._reset: pending transactions too) and the orphaned transactions do not come back; to
/// move a transaction into the new branch, keep its raw hex (getrawtransaction, --index-tx) and send it again.</item>
/// </list>
/// </remarks>
public sealed class BcoinNode : IAsyncDisposable
{
    public const string ApiKey = "test";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private ProcessRunner? _process;
    private string? _prefix;
    private HttpClient? _http;

    public Uri RpcUrl { get; private set; } = null!;

    public Uri WalletUrl { get; private set; } = null!;

    /// <summary>Node JSON-RPC with the node's credentials (any user, password = api key).</summary>
    public BitcoinRpc Rpc { get; private set; } = null!;

    /// <summary>A bcoin-format regtest address of the primary wallet; coinbases pay here.</summary>
    public string MiningAddress { get; private set; } = null!;

    public HttpClient Http => _http ?? throw new InvalidOperationException("The node is not started.");

    public static string BcoinEntryPoint => Path.Combine(RepositoryLayout.Root, "tests", "Interop", "node", "node_modules", "bcoin", "bin", "node");

    public static async Task<BcoinNode> StartAsync()
    {
        var node = new BcoinNode();
        try
        {
            await node.InitializeAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        if (!File.Exists(BcoinEntryPoint))
        {
            throw new InvalidOperationException(
                $"bcoin is not installed ({BcoinEntryPoint} is missing): run ./test.sh, which runs 'npm ci' in tests/Interop/node.");
        }
        _http = new HttpClient { Timeout = CallTimeout };
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await StartProcessAsync();
                return;
            }
            catch (TimeoutException e)
            {
                last = e; // most likely a port taken between probing and binding: retry on new ports
                await StopProcessAsync();
            }
        }
        throw new InvalidOperationException($"bcoin did not start: {last?.Message}", last);
    }

    private async Task StartProcessAsync()
    {
        int p2pPort = FreePorts.Tcp(), httpPort = FreePorts.Tcp(), walletPort = FreePorts.Tcp();
        _prefix = Directory.CreateTempSubdirectory("gittorrent-bcoin-").FullName;
        _process = ProcessRunner.Start("node",
            [
                BcoinEntryPoint, "--network=regtest", "--memory=true", "--workers=false", "--listen=false",
                "--max-outbound=1", "--only=127.0.0.1", "--upnp=false", "--index-tx=true",
                $"--port={p2pPort}",
                "--http-host=127.0.0.1", $"--http-port={httpPort}", $"--api-key={ApiKey}",
                "--wallet-http-host=127.0.0.1", $"--wallet-http-port={walletPort}", $"--wallet-api-key={ApiKey}",
                $"--prefix={_prefix}", "--log-level=warning",
            ],
            workingDirectory: _prefix);

        RpcUrl = new Uri($"http://127.0.0.1:{httpPort}/");
        WalletUrl = new Uri($"http://127.0.0.1:{walletPort}/");
        Rpc = new BitcoinRpc(Http, RpcUrl, "x", ApiKey);

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new TimeoutException($"bcoin exited with {_process.ExitCode}: {Log}");
            }
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Rpc.GetBlockchainInfoAsync(cts.Token);
                var address = await WalletPostAsync("wallet/primary/address", new JsonObject { ["account"] = "default" }, cts.Token);
                MiningAddress = address.GetProperty("address").GetString()!;
                return;
            }
            catch (Exception e) when (e is BitcoinRpcException or HttpRequestException or OperationCanceledException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"bcoin RPC at {RpcUrl} not ready after {StartTimeout}: {e.Message}; log: {Log}");
                }
                await Task.Delay(100);
            }
        }
    }

    /// <summary>What bcoin printed (its last 64,000 characters).</summary>
    public string Log => _process?.Describe() is { } all ? all[Math.Max(0, all.Length - 64_000)..] : "";

    /// <summary>Mines <paramref name="count"/> blocks to <see cref="MiningAddress"/>; returns their hashes.</summary>
    public async Task<string[]> MineAsync(int count)
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        var result = await Rpc.CallAsync("generatetoaddress", [count, MiningAddress], cts.Token);
        return result.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    public async Task<int> GetBlockCountAsync()
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        return await Rpc.GetBlockCountAsync(cts.Token);
    }

    public async Task<string> GetBlockHashAsync(int height)
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        return await Rpc.GetBlockHashAsync(height, cts.Token);
    }

    /// <summary>
    /// Broadcasts a transaction whose only non-change output is OP_RETURN <paramref name="payload"/> (shortest
    /// push), paid by the primary wallet from confirmed coins; returns its txid once it is in the node's mempool.
    /// Needs mature coins (mine 101 blocks or more first).
    /// </summary>
    /// <remarks>
    /// Confirmed coins only (<c>depth: 1</c>), so change of a transaction orphaned by a reorganisation is not spent.
    /// If the wallet lags behind the chain it may still build a transaction the node refuses (missing or immature
    /// inputs); the send is then repeated: the wallet marks the refused transaction's inputs as spent and picks others.
    /// </remarks>
    public async Task<string> SendOpReturnAsync(byte[] payload)
    {
        var script = Convert.ToHexStringLower(OpReturnExtractor.BuildScript(payload));
        var body = new JsonObject
        {
            ["outputs"] = new JsonArray(new JsonObject { ["script"] = script, ["value"] = 0 }),
            ["rate"] = 1000,
            ["depth"] = 1,
        };
        using var cts = new CancellationTokenSource(CallTimeout);
        var attempts = new List<string>();
        while (true)
        {
            try
            {
                var tx = await WalletPostAsync("wallet/primary/send", body, cts.Token);
                var txid = tx.GetProperty("hash").GetString()!;
                attempts.Add(txid);
                if (await WaitForMempoolAsync(txid, TimeSpan.FromSeconds(3), cts.Token))
                {
                    return txid;
                }
            }
            catch (InvalidOperationException e) when (e.Message.Contains("Not enough funds", StringComparison.Ordinal))
            {
                attempts.Add(e.Message); // the wallet has not caught up with the blocks just mined
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        throw new TimeoutException($"No OP_RETURN transaction reached the mempool within {CallTimeout}; attempts: {string.Join("; ", attempts)}");
    }

    /// <summary>Disconnects the block and its descendants (bcoin's invalidateblock); mine afterwards to reorganise.</summary>
    public async Task InvalidateBlockAsync(string blockHash)
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        await Rpc.CallAsync("invalidateblock", [blockHash], cts.Token);
    }

    public async Task<string> GetRawTransactionAsync(string txid)
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        var hex = await Rpc.CallAsync("getrawtransaction", [txid], cts.Token);
        return hex.GetString()!;
    }

    public async Task<string[]> GetMempoolAsync()
    {
        using var cts = new CancellationTokenSource(CallTimeout);
        var pool = await Rpc.CallAsync("getrawmempool", cts.Token);
        return pool.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private async Task<bool> WaitForMempoolAsync(string txid, TimeSpan patience, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var pool = await Rpc.CallAsync("getrawmempool", ct);
            if (pool.EnumerateArray().Any(e => e.GetString() == txid))
            {
                return true;
            }
            await Task.Delay(50, ct);
        }
        return false;
    }

    /// <summary>POSTs JSON to the wallet HTTP API; a reply with "error" becomes an <see cref="InvalidOperationException"/>.</summary>
    public async Task<JsonElement> WalletPostAsync(string path, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WalletUrl, path))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"x:{ApiKey}")));
        using var response = await Http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"bcoin wallet {path}: {error}");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"bcoin wallet {path}: HTTP {(int)response.StatusCode} {text}");
        }
        return doc.RootElement.Clone();
    }

    private async Task StopProcessAsync()
    {
        if (_process is { } p)
        {
            await p.DisposeAsync();
            _process = null;
        }
        if (_prefix is not null && Directory.Exists(_prefix))
        {
            try
            {
                Directory.Delete(_prefix, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temp folder is harmless
            }
            _prefix = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _http?.Dispose();
        _http = null;
    }
}
