using System.Net;
using System.Text.Json;
using GitTorrent.Engine;

namespace GitTorrent.Cli.Network;

/// <summary>Asks a portal's <c>/api/names/{name}</c> which user id owns a username (INTERFACES.md).</summary>
public sealed class NameResolver(Uri baseUrl, HttpClient? http = null)
{
    private readonly HttpClient _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>The owner and status, or null when the name was never seen. Throws with a clear message on errors.</summary>
    public async Task<(Hash20? Owner, string Status)?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUrl, "api/names/" + Uri.EscapeDataString(name));
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new GitTorrentException($"cannot reach the resolver {baseUrl}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GitTorrentException($"the resolver {baseUrl} did not answer in time");
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
