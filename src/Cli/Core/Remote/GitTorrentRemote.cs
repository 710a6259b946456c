using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Swarm;
using GitTorrent.Engine.Wire.Extensions;

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
    /// <summary>
    /// Packs fetched at once after the first one of a fetch (each is small: only what the first lacks). Their cost is
    /// mostly git on both ends, so more than two per core only adds contention (bench/Clone: 8 lanes 9.2 s, 4 lanes
    /// 8.2 s, 2 lanes 7.8 s on 2 cores); at least 4 keep round trips overlapping on a real network.
    /// </summary>
    public static readonly int ParallelFetches = Math.Clamp(2 * Environment.ProcessorCount, 4, 8);

    /// <summary>
    /// Haves sent with a request: the newest local tips (the protocol allows <see cref="PackBuilder.MaxHaves"/>, but each
    /// one costs a tree walk on both sides, and older tips rarely spare objects the newer ones do not).
    /// </summary>
    public const int MaxHaves = 32;

    private OriginRefs? _originRefs;
    private string? _headRef;
    private Hash20? _resolvedUser;
    private bool _checkConnectivity;

    public async Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken)
    {
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            var origin = new OriginClient(url.OriginUrl(settings.OriginScheme));
            progress.Verbose($"Listing refs of the origin {origin.Url}");
            _originRefs = await origin.ListAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken)
    {
        var fetch = new FetchState(await LocalTipsAsync(cancellationToken).ConfigureAwait(false));
        // The branch HEAD names first, then other branches, then tags (most tags are on a branch and come with it).
        var ordered = wants.DistinctBy(w => w.Sha)
            .Select(w => (Want: w, Commit: _originRefs?.Peeled.TryGetValue(w.RefName, out var peeled) == true ? Hash20.Parse(peeled) : Hash20.Parse(w.Sha)))
            .OrderBy(w => w.Want.RefName == _headRef ? 0 : w.Want.RefName.StartsWith("refs/heads/", StringComparison.Ordinal) ? 1
                : w.Want.RefName.StartsWith("refs/tags/", StringComparison.Ordinal) ? 2 : 3)
            .ToList();
        try
        {
            // All missing tips in one request when the seeder takes more wants (ours): one pack, one download, one
            // index-pack, like git's own clone. HEAD's branch leads the request (its peers are looked up in the DHT);
            // the others follow, branches before tags, at most MaxWants per request. A seeder that ignores them, or
            // lacks some, serves what it can; the rest is fetched tip by tip below.
            var remaining = await FetchInBatchesAsync(ordered, fetch, cancellationToken).ConfigureAwait(false);
            var present = await ObjectTypesAsync(remaining, cancellationToken).ConfigureAwait(false);
            var toFetch = remaining.Where(r => !present.ContainsKey(r.Commit)).Select(r => r.Commit).Distinct().Count();
            if (toFetch > 0)
            {
                progress.Info($"Fetching {toFetch} more tip(s) from the swarm, {ParallelFetches} at a time");
            }
            // Branches before the rest, so that tags on them are there by the time they are looked at. What is present
            // is looked up once per round (one git call, not one per tip).
            var done = 0;
            var first = true;
            foreach (var round in remaining.GroupBy(r => r.Want.RefName.StartsWith("refs/heads/", StringComparison.Ordinal)).OrderByDescending(g => g.Key))
            {
                var types = first ? present : await ObjectTypesAsync([.. round], cancellationToken).ConfigureAwait(false);
                first = false;
                await Parallel.ForEachAsync(round, new ParallelOptions { MaxDegreeOfParallelism = ParallelFetches, CancellationToken = cancellationToken },
                    async (item, ct) =>
                    {
                        await FetchOneAsync(item.Want, item.Commit, fetch, new SwarmFetchOptions(fetch.Peers, Quiet: true), ct, types)
                            .ConfigureAwait(false);
                        if (toFetch > 0)
                        {
                            progress.Report("Fetching tips", Interlocked.Increment(ref done), remaining.Count);
                        }
                    }).ConfigureAwait(false);
            }

            if (!fetch.Failures.IsEmpty)
            {
                throw new GitTorrentException("could not fetch from the swarm: " + string.Join(" | ", fetch.Failures));
            }
            if (!fetch.NeedOrigin.IsEmpty)
            {
                var origin = new OriginClient(url.OriginUrl(settings.OriginScheme));
                progress.Info($"Fetching {fetch.NeedOrigin.Count} ref(s) from the origin {origin.Url}");
                await origin.FetchAsync(gitDirectory, [.. fetch.NeedOrigin], progress.ShowProgress && progress.Verbosity >= 1, cancellationToken)
                    .ConfigureAwait(false);
                fetch.Connected = false;
            }
        }
        catch
        {
            foreach (var keep in fetch.Keeps)
            {
                TryDelete(keep);
            }
            throw;
        }
        // git removes the one pack it is told is locked, and with connectivity-ok skips walking the history again
        // (only on clone, when it asked for check-connectivity); the other .keep files are ours to remove. Every pack
        // was verified on import: a full one self-contained and connected, a thin one complete down to haves that were.
        var keeps = fetch.Keeps.ToList();
        if (keeps.Count == 0)
        {
            return [];
        }
        foreach (var extra in keeps.Skip(1))
        {
            TryDelete(extra);
        }
        return _checkConnectivity && fetch.Connected
            ? ["lock " + keeps[0], "connectivity-ok"]
            : ["lock " + keeps[0]];
    }

    /// <summary>
    /// Fetches the missing tips in as few packs as the seeders allow: the first missing tip with up to
    /// <see cref="GitTorrentMessage.MaxWants"/> others as more wants (the first request through the DHT, later ones from
    /// the peers that served it), as long as each pack brings more than its first tip. Returns the tips left for the
    /// one-by-one path: those still missing and those present whose annotated tag object may be missing.
    /// </summary>
    private async Task<List<(FetchRequest Want, Hash20 Commit)>> FetchInBatchesAsync(List<(FetchRequest Want, Hash20 Commit)> ordered,
        FetchState fetch, CancellationToken cancellationToken)
    {
        var left = ordered;
        while (true)
        {
            var present = await ObjectTypesAsync(left, cancellationToken).ConfigureAwait(false);
            var missing = left.Select(t => t.Commit).Where(c => !present.ContainsKey(c)).Distinct().ToList();
            if (missing.Count == 0)
            {
                return left;
            }
            var head = left.First(t => t.Commit == missing[0]);
            var more = missing.Skip(1).Take(GitTorrentMessage.MaxWants).ToList();
            var options = new SwarmFetchOptions(fetch.Peers) { MoreWants = more };
            var fetched = await FetchOneAsync(head.Want, head.Commit, fetch, options, cancellationToken, present, lead: true).ConfigureAwait(false);
            left = [.. left.Where(t => t.Want != head.Want)];
            if (!fetched || more.Count == 0)
            {
                return left;
            }
            var after = await ObjectTypesAsync([.. left.Where(t => more.Contains(t.Commit))], cancellationToken).ConfigureAwait(false);
            var brought = more.Count(after.ContainsKey);
            if (brought > 0)
            {
                progress.Info($"Also received {brought} more tip(s) in the same pack");
            }
            if (brought == 0 || (brought == more.Count && missing.Count <= 1 + more.Count))
            {
                // Nothing more (the seeder ignores more wants or lacks them): one by one from here; or all of them.
                return left;
            }
        }
    }

    /// <summary>
    /// Brings one wanted tip from the swarm, or records that the origin must (host form) or that it failed. False when
    /// it was there already (nothing fetched).
    /// </summary>
    /// <param name="lead">A clone's lead request: shown with its peers and download progress, not quietly.</param>
    private async Task<bool> FetchOneAsync(FetchRequest want, Hash20 commit, FetchState fetch, SwarmFetchOptions options,
        CancellationToken cancellationToken, IReadOnlyDictionary<Hash20, string>? known = null, bool lead = false)
    {
        var sha = Hash20.Parse(want.Sha);
        var hasCommit = known is not null
            ? known.TryGetValue(commit, out var type) && type == "commit"
            : await GitRefs.HasCommitAsync(gitDirectory, commit, cancellationToken).ConfigureAwait(false);
        if (hasCommit)
        {
            if (commit != sha && !(known?.ContainsKey(sha) ?? false) && !await HasObjectAsync(sha, cancellationToken).ConfigureAwait(false))
            {
                fetch.NeedOrigin.Enqueue(want.RefName); // an annotated tag of a commit we have: only the tag object is missing
            }
            return false;
        }
        SwarmFetchResult? result = null;
        if (swarm is not null)
        {
            if (lead && options.KnownPeers.Count == 0)
            {
                progress.Info($"Looking for peers of {commit}");
            }
            result = await swarm.FetchAsync(commit, fetch.Haves, gitDirectory, options, cancellationToken).ConfigureAwait(false);
            if (result.Success)
            {
                fetch.Succeeded(commit, result);
                var message = $"Received {result.PackBytes} pack bytes for {commit} from {string.Join(", ", result.ServedBy)}";
                if (lead)
                {
                    progress.Info(message);
                }
                else
                {
                    progress.Verbose($"{message} ({want.RefName})");
                }
                if (commit != sha && !await HasObjectAsync(sha, cancellationToken).ConfigureAwait(false))
                {
                    fetch.NeedOrigin.Enqueue(want.RefName); // the annotated tag object, when the seeder did not include it
                }
                return true;
            }
            foreach (var failure in result.Failures)
            {
                progress.Verbose("  " + failure);
            }
        }
        if (url.Kind == GitTorrentUrlKind.Host)
        {
            fetch.NeedOrigin.Enqueue(want.RefName);
        }
        else
        {
            fetch.Failures.Enqueue($"{want.RefName} ({commit}): " + (result is null ? "no swarm available"
                : result.Failures.Count == 0 ? "no peer has it" : string.Join("; ", result.Failures)));
        }
        return true;
    }

    /// <summary>Which of the tips' commits (and annotated tags' objects) are here already.</summary>
    private Task<IReadOnlyDictionary<Hash20, string>> ObjectTypesAsync(IReadOnlyCollection<(FetchRequest Want, Hash20 Commit)> tips,
        CancellationToken cancellationToken) =>
        GitRefs.ObjectTypesAsync(gitDirectory, [.. tips.Select(t => t.Commit).Concat(tips.Select(t => Hash20.Parse(t.Want.Sha))).Distinct()],
            cancellationToken);

    private async Task<bool> HasObjectAsync(Hash20 id, CancellationToken cancellationToken) =>
        (await GitRefs.FilterExistingAsync(gitDirectory, [id], cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>What one fetch command has brought so far; shared by its parallel fetches.</summary>
    private sealed class FetchState(List<Hash20> localTips)
    {
        private readonly Lock _lock = new();
        private Hash20? _first;
        private readonly List<System.Net.IPEndPoint> _peers = [];

        public System.Collections.Concurrent.ConcurrentQueue<string> NeedOrigin { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string> Keeps { get; } = new();

        /// <summary>Every object came in packs that were verified complete on import (none from the origin).</summary>
        public bool Connected { get; set; } = true;

        /// <summary>
        /// Complete commits to send as haves: the first tip fetched (the history most others branch from), then the
        /// newest local tips. Not every tip fetched: each have costs the seeder and our verification a walk of its tree,
        /// and unrelated branches save nothing.
        /// </summary>
        public IReadOnlyList<Hash20> Haves
        {
            get
            {
                using var scope = _lock.EnterScope();
                return [.. (_first is { } first ? localTips.Prepend(first) : localTips).Distinct().Take(MaxHaves)];
            }
        }

        /// <summary>The peers that served packs of this fetch.</summary>
        public IReadOnlyList<System.Net.IPEndPoint> Peers
        {
            get
            {
                using var scope = _lock.EnterScope();
                return [.. _peers];
            }
        }

        public void Succeeded(Hash20 commit, SwarmFetchResult result)
        {
            using var scope = _lock.EnterScope();
            _first ??= commit;
            foreach (var peer in result.Peers.Where(p => !_peers.Contains(p)))
            {
                _peers.Add(peer);
            }
            if (result.KeepFile is { } keep)
            {
                Keeps.Enqueue(keep);
            }
        }
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
            .Take(MaxHaves)];
    }
}
