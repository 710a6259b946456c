using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitTorrent.Engine.Names;

/// <summary>
/// Minimal JSON-RPC 1.0 client for bitcoind-compatible nodes (Bitcoin Core, bcoin) with HTTP Basic auth.
/// Only System.Net.Http and System.Text.Json, so both the CLI and the indexer can use it. Every failure
/// becomes a <see cref="BitcoinRpcException"/> whose message names the URL and the method.
/// </summary>
/// <remarks>
/// Credentials come from the arguments or, when those are null, from the URL's user info
/// (<c>http://user:password@127.0.0.1:8332/</c>); the user info is removed from the URL that is called.
/// </remarks>
public sealed class BitcoinRpc
{
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _auth;
    private long _nextId;

    public BitcoinRpc(HttpClient http, Uri url, string? user = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an http(s) URL.", nameof(url));
        }
        _http = http;
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            user ??= Uri.UnescapeDataString(parts[0]);
            password ??= parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
            url = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
        }
        Url = url;
        if (user is not null || password is not null)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
            _auth = new AuthenticationHeaderValue("Basic", token);
        }
    }

    /// <summary>The endpoint, without credentials.</summary>
    public Uri Url { get; }

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c> (a clone, safe to keep).</summary>
    public async Task<JsonElement> CallAsync(string method, JsonArray parameters, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["jsonrpc"] = "1.0",
            ["id"] = Interlocked.Increment(ref _nextId),
            ["method"] = method,
            ["params"] = parameters,
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, Url)
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = _auth;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BitcoinRpcException($"Cannot reach the Bitcoin RPC at {Url} ({method}): {e.Message}", Url, method, inner: e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new BitcoinRpcException($"The Bitcoin RPC at {Url} timed out ({method}).", Url, method, inner: e);
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new BitcoinRpcException(
                    $"The Bitcoin RPC at {Url} refused the credentials ({(int)response.StatusCode} {response.ReasonPhrase}); check the RPC user and password.",
                    Url, method);
            }
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            // Bitcoin Core answers RPC errors with HTTP 500 (or 404 for unknown methods) and a JSON body.
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                throw new BitcoinRpcException(
                    $"The Bitcoin RPC at {Url} answered {method} with HTTP {(int)response.StatusCode} and no JSON-RPC reply: {Truncate(body)}",
                    Url, method, inner: e);
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new BitcoinRpcException($"The Bitcoin RPC at {Url} answered {method} with a non-object: {Truncate(body)}", Url, method);
                }
                if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                {
                    int? code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
                    var text = error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
                    throw new BitcoinRpcException($"The Bitcoin RPC at {Url} rejected {method}: {text} (code {code?.ToString() ?? "none"})", Url, method, code);
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new BitcoinRpcException($"The Bitcoin RPC at {Url} answered {method} with HTTP {(int)response.StatusCode}: {Truncate(body)}", Url, method);
                }
                if (!root.TryGetProperty("result", out var result))
                {
                    throw new BitcoinRpcException($"The Bitcoin RPC at {Url} answered {method} without a result.", Url, method);
                }
                return result.Clone();
            }
        }
    }

    public Task<JsonElement> CallAsync(string method, CancellationToken ct) => CallAsync(method, [], ct);

    public async Task<BlockchainInfo> GetBlockchainInfoAsync(CancellationToken ct)
    {
        var result = await CallAsync("getblockchaininfo", ct).ConfigureAwait(false);
        return new BlockchainInfo(
            ReadString(result, "chain", "getblockchaininfo"),
            result.TryGetProperty("blocks", out var blocks) && blocks.TryGetInt32(out var b) ? b
                : throw Malformed("getblockchaininfo", "blocks"),
            ReadString(result, "bestblockhash", "getblockchaininfo"));
    }

    public async Task<int> GetBlockCountAsync(CancellationToken ct)
    {
        var result = await CallAsync("getblockcount", ct).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Number && result.TryGetInt32(out var n) ? n : throw Malformed("getblockcount", "result");
    }

    /// <summary>The hash (64 hex, display order) of the best-chain block at <paramref name="height"/>.</summary>
    public async Task<string> GetBlockHashAsync(int height, CancellationToken ct)
    {
        var result = await CallAsync("getblockhash", [height], ct).ConfigureAwait(false);
        return ReadHex(result, "getblockhash");
    }

    public async Task<string> GetBestBlockHashAsync(CancellationToken ct)
    {
        var result = await CallAsync("getbestblockhash", ct).ConfigureAwait(false);
        return ReadHex(result, "getbestblockhash");
    }

    /// <summary><c>getblock &lt;hash&gt; 0</c>: the serialized block as hex.</summary>
    public async Task<string> GetBlockHexAsync(string blockHash, CancellationToken ct)
    {
        var result = await CallAsync("getblock", [blockHash, 0], ct).ConfigureAwait(false);
        return ReadHex(result, "getblock");
    }

    /// <summary><c>sendrawtransaction &lt;hex&gt;</c>: the txid.</summary>
    public async Task<string> SendRawTransactionAsync(string transactionHex, CancellationToken ct)
    {
        var result = await CallAsync("sendrawtransaction", [transactionHex], ct).ConfigureAwait(false);
        return ReadHex(result, "sendrawtransaction");
    }

    internal BitcoinRpcException Malformed(string method, string field) =>
        new($"The Bitcoin RPC at {Url} answered {method} without a valid '{field}'.", Url, method);

    internal string ReadString(JsonElement obj, string property, string method) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Malformed(method, property);

    private string ReadHex(JsonElement result, string method)
    {
        var text = result.ValueKind == JsonValueKind.String ? result.GetString()! : throw Malformed(method, "result");
        foreach (var ch in text)
        {
            if (!char.IsAsciiHexDigit(ch))
            {
                throw Malformed(method, "result");
            }
        }
        return text.ToLowerInvariant();
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");
}
