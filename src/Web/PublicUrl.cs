using GitTorrent.Indexer.Node;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web;

/// <summary>
/// The portal's public base URL (<c>GitTorrent__PublicUrl</c>), used in pack torrents' web seeds and bundle URIs; when
/// it is not set, the first URL the server listens on (a wildcard host such as <c>0.0.0.0</c>, <c>[::]</c>, <c>+</c> or
/// <c>*</c> becomes <c>localhost</c>, which only this machine can reach: set the option on a real deployment). Null
/// until the server listens (maintenance commands never do).
/// </summary>
public sealed class PublicUrl(IOptions<PortalOptions> options, IServer server) : IPublicBaseUrl
{
    public string? Value => options.Value.PublicUrl is { Length: > 0 } configured
        ? configured.TrimEnd('/')
        : FirstListening(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);

    /// <summary>The first address as a base URL clients can use, or null if there is none.</summary>
    public static string? FirstListening(IEnumerable<string> addresses)
    {
        var first = addresses.FirstOrDefault();
        if (first is null)
        {
            return null;
        }
        // Kestrel spells wildcards that Uri does not parse ("http://+:80", "http://*:80").
        var text = first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return null;
        }
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port).Uri.GetLeftPart(UriPartial.Authority);
    }
}
