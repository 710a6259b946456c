using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;

namespace GitTorrent.Cli.Remote;

/// <summary><c>list</c>: the refs of the origin (host form) or of the signed profile (key and name forms).</summary>
public sealed partial class GitTorrentRemote
{
    public async Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken)
    {
        if (url.Kind == GitTorrentUrlKind.Host && forPush)
        {
            // Said before git asks the origin for its refs: a push to a host-form URL can never succeed.
            throw new GitTorrentException(HostFormPushRefused);
        }
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            // The node joins the DHT while the origin lists its refs: the fetch that follows finds it ready.
            (swarm as INodeWarmUp)?.WarmUp();
            _origin ??= new OriginClient(url.OriginUrl(settings.OriginScheme), gitDirectory, progress);
            progress.Verbose($"Listing refs of the origin {_origin.Url}");
            _originRefs = await _origin.ListAsync(cancellationToken).ConfigureAwait(false);
            _headRef = _originRefs.HeadTarget;
            return new RemoteRefs(_originRefs.Refs, _originRefs.HeadTarget);
        }
        var userId = await ResolveUserAsync(cancellationToken).ConfigureAwait(false);
        if (forPush)
        {
            // A push lists what our own store has; the profile may lag behind it.
            var store = settings.StorePath(url.Repository);
            if (!Directory.Exists(store))
            {
                return new RemoteRefs(new Dictionary<string, string>(), null);
            }
            var local = await GitRefs.ReadAsync(store, cancellationToken).ConfigureAwait(false);
            return new RemoteRefs(local.ToDictionary(r => r.Key, r => r.Value.ToString()),
                await GitRefs.ReadHeadTargetAsync(store, cancellationToken).ConfigureAwait(false));
        }
        if (profiles is null)
        {
            throw new GitTorrentException("no DHT available to look up the profile");
        }
        var profile = await profiles.GetProfileAsync(userId, cancellationToken).ConfigureAwait(false)
            ?? throw new GitTorrentException($"no profile found in the DHT for user {userId}");
        if (!profile.Repositories.TryGetValue(url.Repository, out var refs))
        {
            throw new GitTorrentException($"user {userId} publishes no repository named '{url.Repository}' "
                + $"(they publish: {string.Join(", ", profile.Repositories.Keys.DefaultIfEmpty("none"))})");
        }
        var map = refs.ToDictionary(r => r.Key, r => r.Value.ToString(), StringComparer.Ordinal);
        _headRef = UserProfile.GuessHeadTarget(refs);
        return new RemoteRefs(map, _headRef);
    }
}
