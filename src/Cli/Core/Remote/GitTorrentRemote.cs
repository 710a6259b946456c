using GitTorrent.Engine;
using GitTorrent.Engine.Fetch;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The backend of <c>git-remote-gittorrent</c> for one URL: refs from the origin (host form) or the signed profile
/// (key and name forms), <see cref="ListAsync"/>; objects from the swarm through the Engine's one fetch routine, with
/// the origin for what the swarm cannot serve (host form), <see cref="FetchAsync"/>; pushes into the local store
/// (key form, own id only), <see cref="PushAsync"/>. One file per capability.
/// </summary>
public sealed partial class GitTorrentRemote(
    GitTorrentUrl url,
    string gitDirectory,
    RemoteSettings settings,
    HelperProgress progress,
    ISwarmFetcher? swarm,
    IProfileSource? profiles,
    IPushPublisher? publisher) : IRemoteHelperBackend, IAsyncDisposable
{
    private OriginClient? _origin;
    private OriginRefs? _originRefs;
    private string? _headRef;
    private Hash20? _resolvedUser;
    private bool _checkConnectivity;

    public bool SetOption(string name, string value)
    {
        switch (name)
        {
            case "check-connectivity":
                _checkConnectivity = value == "true";
                return true;
            case "progress":
                progress.ShowProgress = value == "true";
                return true;
            case "verbosity":
                if (!int.TryParse(value, out var level))
                {
                    return false;
                }
                progress.Verbosity = level;
                return true;
            default:
                return false;
        }
    }

    private async Task<Hash20> ResolveUserAsync(CancellationToken cancellationToken)
    {
        if (url.Kind == GitTorrentUrlKind.Key)
        {
            return url.UserId;
        }
        if (_resolvedUser is { } cached)
        {
            return cached;
        }
        if (profiles is null)
        {
            throw new GitTorrentException($"cannot resolve the name '{url.Authority}': no resolver configured (set GITTORRENT_RESOLVER)");
        }
        var id = await profiles.ResolveNameAsync(url.Authority, cancellationToken).ConfigureAwait(false)
            ?? throw new GitTorrentException($"the name '{url.Authority}' is not registered to anyone");
        _resolvedUser = id;
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        if (_origin is not null)
        {
            await _origin.DisposeAsync().ConfigureAwait(false);
        }
    }
}
