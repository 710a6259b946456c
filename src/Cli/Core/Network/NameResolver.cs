using System.Net;
using System.Text.Json;
using GitTorrent.Engine;

namespace GitTorrent.Cli.Network;

/// <summary>
/// Asks a portal's <c>/api/names/{name}</c> which user id owns a username (INTERFACES.md). The answer decides whose
/// code a name-form clone fetches, so the resolver must be reached over https: plain http is refused, before any
/// connection, unless the host is a loopback address (a portal on this machine) or the user opted in
/// (<c>GITTORRENT_RESOLVER_ALLOW_HTTP=1</c>: a network they trust).
/// </summary>
public sealed class NameResolver
{
    private readonly Uri _baseUrl;
    private readonly HttpClient _http;

    /// <param name="allowHttp">Accept plain http to any host (the explicit opt-in).</param>
    public NameResolver(Uri baseUrl, HttpClient? http = null, bool allowHttp = false)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!IsAcceptable(baseUrl, allowHttp))
        {
            throw new GitTorrentException($"the resolver {baseUrl} is plain http to a host that is not this machine: anyone on the way "
                + $"could answer for any name; use https, or set {CliOptionsParser.ResolverAllowHttpVariable}=1 for a network you trust");
        }
        _baseUrl = baseUrl;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>https always; http only to a loopback host (127.0.0.0/8, ::1, localhost) or when allowed.</summary>
    public static bool IsAcceptable(Uri url, bool allowHttp)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme == Uri.UriSchemeHttps || allowHttp)
        {
            return url.Scheme is "https" or "http";
        }
        return url.Scheme == Uri.UriSchemeHttp
            && (url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
    }

    /// <summary>The owner and status, or null when the name was never seen. Throws with a clear message on errors.</summary>
    public async Task<(Hash20? Owner, string Status)?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var url = new Uri(_baseUrl, "api/names/" + Uri.EscapeDataString(name));
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new GitTorrentException($"cannot reach the resolver {_baseUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GitTorrentException($"the resolver {_baseUrl} did not answer in time");
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new GitTorrentException($"the resolver {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            try
            {
                using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                var root = json.RootElement;
                var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "unknown";
                Hash20? owner = root.TryGetProperty("owner", out var o) && o.ValueKind == JsonValueKind.String
                    && Hash20.TryParse(o.GetString(), out var id) ? id : null;
                return (owner, status);
            }
            catch (JsonException e)
            {
                throw new GitTorrentException($"the resolver {url} did not answer JSON: {e.Message}");
            }
        }
    }
}
