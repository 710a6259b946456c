using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Swarm;

namespace GitTorrent.Cli.Remote;

/// <summary>
/// The backend of <c>git-remote-gittorrent</c> for one URL: refs from the origin (host form) or the
/// signed profile (key and name forms); objects from the swarm, with the origin as fallback for the
/// host form; pushes into the local store (key form, own id only).
/// </summary>
public sealed class GitTorrentRemote(
    GitTorrentUrl url,
    string gitDirectory,
    RemoteSettings settings,
    HelperProgress progress,
    ISwarmFetcher? swarm,
    IProfileSource? profiles,
    IPushPublisher? publisher) : IRemoteHelperBackend
{
    private OriginRefs? _originRefs;
    private Hash20? _resolvedUser;
    private bool _checkConnectivity;

    public async Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken)
    {
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            var origin = new OriginClient(url.OriginUrl(settings.OriginScheme));
            progress.Verbose($"Listing refs of the origin {origin.Url}");
            _originRefs = await origin.ListAsync(cancellationToken).ConfigureAwait(false);
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
        return new RemoteRefs(map, UserProfile.GuessHeadTarget(refs));
    }

    public async Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken)
    {
        var haves = await LocalTipsAsync(cancellationToken).ConfigureAwait(false);
        var needOrigin = new List<string>();
        var failures = new List<string>();
        var keeps = new List<string>();
        // Every object came in full packs that index-pack checked to be self-contained and connected.
        var connected = true;
        try
        {
            foreach (var want in wants.DistinctBy(w => w.Sha))
            {
                var sha = Hash20.Parse(want.Sha);
                var commit = _originRefs?.Peeled.TryGetValue(want.RefName, out var peeled) == true ? Hash20.Parse(peeled) : sha;
                if (await GitRefs.HasCommitAsync(gitDirectory, commit, cancellationToken).ConfigureAwait(false))
                {
                    if (commit != sha)
                    {
                        needOrigin.Add(want.RefName); // an annotated tag of a commit we have: only the tag object is missing
                    }
                    continue;
                }
                SwarmFetchResult? result = null;
                if (swarm is not null)
                {
                    progress.Info($"Looking for peers of {commit}");
                    result = await swarm.FetchAsync(commit, haves, gitDirectory, cancellationToken).ConfigureAwait(false);
                    if (result.Success)
                    {
                        if (result.KeepFile is { } keep)
                        {
                            keeps.Add(keep);
                        }
                        else
                        {
                            connected = false;
                        }
                        progress.Info($"Received {result.PackBytes} pack bytes for {commit} from {string.Join(", ", result.ServedBy)}");
                        haves = [commit, .. haves.Take(PackBuilder.MaxHaves - 1)];
                        if (commit != sha)
                        {
                            needOrigin.Add(want.RefName); // the annotated tag object itself
                        }
                        continue;
                    }
                    foreach (var failure in result.Failures)
                    {
                        progress.Verbose("  " + failure);
                    }
                }
                if (url.Kind == GitTorrentUrlKind.Host)
                {
                    needOrigin.Add(want.RefName);
                }
                else
                {
                    failures.Add($"{want.RefName} ({commit}): " + (result is null ? "no swarm available"
                        : result.Failures.Count == 0 ? "no peer has it" : string.Join("; ", result.Failures)));
                }
            }
            if (failures.Count > 0)
            {
                throw new GitTorrentException("could not fetch from the swarm: " + string.Join(" | ", failures));
            }
            if (needOrigin.Count > 0)
            {
                var origin = new OriginClient(url.OriginUrl(settings.OriginScheme));
                progress.Info($"Fetching {needOrigin.Count} ref(s) from the origin {origin.Url}");
                await origin.FetchAsync(gitDirectory, needOrigin, progress.ShowProgress && progress.Verbosity >= 1, cancellationToken)
                    .ConfigureAwait(false);
                connected = false;
            }
        }
        catch
        {
            keeps.ForEach(TryDelete);
            throw;
        }
        // git removes the one pack it is told is locked, and with connectivity-ok skips walking the history again
        // (only on clone, when it asked for check-connectivity); the other .keep files are ours to remove.
        if (keeps.Count == 0)
        {
            return [];
        }
        foreach (var extra in keeps.Skip(1))
        {
            TryDelete(extra);
        }
        return _checkConnectivity && connected && keeps.Count == 1
            ? ["lock " + keeps[0], "connectivity-ok"]
            : ["lock " + keeps[0]];
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
    }

    public async Task<IReadOnlyList<PushResult>> PushAsync(IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken)
    {
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination,
                "cannot push to a host-form URL; push to gittorrent://<your user id>/<repo>"))];
        }
        var userId = await ResolveUserAsync(cancellationToken).ConfigureAwait(false);
        if (settings.OwnUserId is not { } own)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination, "no identity: run 'gittorrent keygen' first"))];
        }
        if (own != userId)
        {
            return [.. refspecs.Select(r => new PushResult(r.Destination,
                $"{userId} is not your user id ({own}); you can only push to your own repositories"))];
        }
        var store = settings.StorePath(url.Repository);
        if (!Directory.Exists(store))
        {
            Directory.CreateDirectory(store);
            await GitRunner.RunAsync(store, ["init", "--quiet", "--bare"], cancellationToken).ConfigureAwait(false);
        }
        var results = await LocalStore.PushAsync(gitDirectory, store, refspecs, cancellationToken).ConfigureAwait(false);
        await LocalStore.PointHeadAtABranchAsync(store, refspecs.Select(r => r.Destination), cancellationToken).ConfigureAwait(false);
        if (results.Any(r => r.Error is null) && publisher is not null)
        {
            await publisher.PublishAsync(url.Repository, cancellationToken).ConfigureAwait(false);
            progress.Info($"Published {url} (profile re-signed, tips announced)");
        }
        return results;
    }

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

    private async Task<List<Hash20>> LocalTipsAsync(CancellationToken cancellationToken)
    {
        var output = await GitRunner.RunAsync(gitDirectory,
            ["for-each-ref", "--sort=-committerdate", "--format=%(objectname) %(objecttype)", "refs/"], cancellationToken)
            .ConfigureAwait(false);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(p => p.Length == 2 && p[1] == "commit")
            .Select(p => Hash20.Parse(p[0]))
            .Distinct()
            .Take(PackBuilder.MaxHaves)];
    }
}
