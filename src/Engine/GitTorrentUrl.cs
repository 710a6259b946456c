using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace GitTorrent.Engine;

/// <summary>
/// A <c>gittorrent://</c> URL (docs/PROTOCOL.md section 1). The first segment decides the form:
/// 40 hex characters are a user id (key form), a segment containing '.' or ':' is a host (host
/// form, origin = https://host/path), anything else is a username registered on Bitcoin (name form).
/// </summary>
public sealed partial record GitTorrentUrl
{
    public const string Scheme = "gittorrent";

    public GitTorrentUrlKind Kind { get; private init; }

    /// <summary>Host (host form), 40-hex user id (key form) or username (name form).</summary>
    public string Authority { get; private init; } = "";

    /// <summary>Path after the authority: the repository name, or the origin path for the host form.</summary>
    public string Repository { get; private init; } = "";

    /// <summary>The user id of the key form.</summary>
    public Hash20 UserId { get; private init; }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")]
    public static partial Regex UsernamePattern();

    public static bool TryParse(string? text, [NotNullWhen(true)] out GitTorrentUrl? url, out string? error)
    {
        url = null;
        const string prefix = Scheme + "://";
        if (text is null || !text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not a gittorrent:// URL";
            return false;
        }
        var rest = text[prefix.Length..].TrimEnd('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            error = $"'{text}' has no repository: expected gittorrent://<user id, username or host>/<repository>";
            return false;
        }
        var authority = rest[..slash];
        var path = rest[(slash + 1)..];
        if (path.EndsWith(".git", StringComparison.Ordinal) && path.Length > 4)
        {
            path = path[..^4];
        }
        if (authority.Contains('.', StringComparison.Ordinal) || authority.Contains(':', StringComparison.Ordinal))
        {
            if (path.Split('/').Any(s => s is "" or "." or ".."))
            {
                error = $"'{text}' has an invalid path";
                return false;
            }
            url = new GitTorrentUrl { Kind = GitTorrentUrlKind.Host, Authority = authority.ToLowerInvariant(), Repository = path };
            error = null;
            return true;
        }
        if (!RepositoryName.IsValid(path))
        {
            error = $"'{path}' is not a valid repository name";
            return false;
        }
        if (authority.Length == 40 && Hash20.TryParse(authority, out var userId))
        {
            url = new GitTorrentUrl { Kind = GitTorrentUrlKind.Key, Authority = userId.ToString(), Repository = path, UserId = userId };
            error = null;
            return true;
        }
        if (!UsernamePattern().IsMatch(authority))
        {
            error = $"'{authority}' is neither a 40-hex user id, a host name nor a valid username (a-z, 0-9, '-', at most 32)";
            return false;
        }
        url = new GitTorrentUrl { Kind = GitTorrentUrlKind.Name, Authority = authority, Repository = path };
        error = null;
        return true;
    }

    public static GitTorrentUrl Parse(string text) =>
        TryParse(text, out var url, out var error) ? url : throw new GitTorrentException(error!);

    /// <summary>The origin of the host form, e.g. <c>https://github.com/cjb/recursers</c>.</summary>
    public string OriginUrl(string scheme = "https") => Kind == GitTorrentUrlKind.Host
        ? $"{scheme}://{Authority}/{Repository}"
        : throw new InvalidOperationException("Only host-form URLs have an origin.");

    public override string ToString() => $"{Scheme}://{Authority}/{Repository}";
}
