using System.Net;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Torrents;
using GitTorrent.Engine.Wire.Extensions;
using Microsoft.Extensions.Logging;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Client;

namespace GitTorrent.Engine.Node;

/// <summary>The seeder side: which commits we accept handshakes for, and packs built, seeded and announced on request.</summary>
public sealed partial class GitTorrentNode : IGitTorrentPackProvider
{
    /// <summary>
    /// Where the served repositories come from (the daemon's folder scan). When set, a commit found in none of them
    /// triggers a rescan (at most once a second) before the answer is no: a repository pushed a moment ago is served
    /// before the next scheduled scan.
    /// </summary>
    public Func<IReadOnlyList<ServedRepository>>? RepositorySource { get; set; }

    private long _lastRescan;

    /// <summary>
    /// The served repository holding <paramref name="commit"/>, or null: looked up in the in-memory index of served
    /// commits. A miss waits for a refresh under way, and when <see cref="RepositorySource"/> is set rescans (at most once
    /// a second for all misses together) before the answer is no.
    /// </summary>
    public async Task<ServedRepository?> FindRepositoryAsync(Hash20 commit, CancellationToken cancellationToken)
    {
        if (_commitIndex.Find(commit) is { } found)
        {
            return found;
        }
        await Volatile.Read(ref _indexRefresh).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_commitIndex.Find(commit) is { } refreshed)
        {
            return refreshed;
        }
        var now = Options.TimeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastRescan);
        if (RepositorySource is not { } source || (last != 0 && Options.TimeProvider.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
            || Interlocked.CompareExchange(ref _lastRescan, now, last) != last)
        {
            return null;
        }
        SetRepositories(source());
        await Volatile.Read(ref _indexRefresh).WaitAsync(cancellationToken).ConfigureAwait(false);
        return _commitIndex.Find(commit);
    }

    public Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken) =>
        GetPackInfoHashAsync(want, [], haves, cancellationToken);

    /// <summary>
    /// One pack for <paramref name="want"/> and those of <paramref name="moreWants"/> that the repository holding
    /// <paramref name="want"/> has (a clone's other tips); the client asks elsewhere for the rest.
    /// </summary>
    public Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
        CancellationToken cancellationToken) => GetPackInfoHashAsync(want, moreWants, haves, null, cancellationToken);

    /// <summary>
    /// The same, a new build counting against the bounds of <paramref name="requester"/> (null: only the global bound).
    /// </summary>
    /// <exception cref="PackBuildRefusedException">A bound of the pack cache is reached.</exception>
    public async Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
        IPAddress? requester, CancellationToken cancellationToken)
    {
        var repository = await FindRepositoryAsync(want, cancellationToken).ConfigureAwait(false)
            ?? throw new GitTorrentException($"commit {want} is not in any repository this peer serves");
        var pack = await GetPackAsync(repository.Path, want, moreWants, haves, requester, cancellationToken).ConfigureAwait(false);
        return pack.InfoHash;
    }

    /// <summary>
    /// The pack of <paramref name="want"/> and <paramref name="moreWants"/> minus <paramref name="haves"/> in the
    /// repository at <paramref name="repositoryPath"/>, from the pack cache or built within its bounds (a new build
    /// counts against <paramref name="requester"/>), then seeded and announced like every pack this node makes.
    /// </summary>
    /// <exception cref="PackBuildRefusedException">A bound of the pack cache is reached.</exception>
    public async Task<CachedPack> GetPackAsync(string repositoryPath, Hash20 want, IReadOnlyList<Hash20> moreWants,
        IReadOnlyList<Hash20> haves, IPAddress? requester, CancellationToken cancellationToken)
    {
        CachedPack pack;
        try
        {
            pack = await Packs.GetOrBuildAsync(repositoryPath, want, moreWants, haves, requester, MakeTorrentAsync, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (PackBuildRefusedException e)
        {
            _limitLog.Bit(e.Limit);
            throw;
        }
        await EnsureSeedingAsync(pack, cancellationToken).ConfigureAwait(false);
        LogPackReady(_logger, want.ToString(), pack.InfoHash.ToString(), pack.Size, pack.FromCache);
        return pack;
    }

    /// <summary>Seeds a pack from the cache (if not already) and announces its infohash in the DHT.</summary>
    public async Task EnsureSeedingAsync(CachedPack pack, CancellationToken cancellationToken)
    {
        _packCommits[pack.InfoHash] = pack.Commit;
        if (Torrents.Contains(pack.InfoHash))
        {
            return;
        }
        var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(pack.TorrentPath, cancellationToken).ConfigureAwait(false));
        try
        {
            await Torrents.AddSeedAsync(metainfo, pack.PackPath, new AnnounceAs(Dht, AnnouncePort), cancellationToken).ConfigureAwait(false);
        }
        catch (GitTorrentException) when (Torrents.Contains(pack.InfoHash))
        {
            // Another request added it first.
        }
    }

    private async Task<(Hash20 InfoHash, byte[] Torrent)> MakeTorrentAsync(string packPath, Hash20 commit,
        CancellationToken cancellationToken)
    {
        var name = commit + ".pack";
        var metainfo = await TorrentMetainfo.CreateAsync(packPath, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (Options.WebSeedBaseUrl?.Invoke() is { Length: > 0 } baseUrl)
        {
            metainfo = TorrentMetainfo.FromInfoBytes(metainfo.InfoBytes, [$"{baseUrl.TrimEnd('/')}/packs/{metainfo.InfoHash}.pack"]);
        }
        return (metainfo.InfoHash, metainfo.ToBytes());
    }

    private async Task ReseedCachedPacksAsync(CancellationToken cancellationToken)
    {
        foreach (var torrentPath in Directory.EnumerateFiles(Packs.Folder, "*.torrent"))
        {
            if (!Hash20.TryParse(Path.GetFileNameWithoutExtension(torrentPath), out var infoHash))
            {
                continue;
            }
            try
            {
                var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(torrentPath, cancellationToken).ConfigureAwait(false));
                if (metainfo.InfoHash != infoHash || !Hash20.TryParse(Path.GetFileNameWithoutExtension(metainfo.Name), out var commit)
                    || Packs.Find(infoHash, commit) is not { } pack)
                {
                    continue;
                }
                await EnsureSeedingAsync(pack, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is GitTorrentException or IOException)
            {
                LogReseedFailed(_logger, infoHash.ToString(), e.Message);
            }
        }
    }

    private async Task StopSeedingAsync(Hash20 infoHash)
    {
        _packCommits.TryRemove(infoHash, out _);
        await Torrents.RemoveAsync(infoHash, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Whether a handshake for <paramref name="commit"/> should be accepted: a served repository has it.</summary>
    private async ValueTask<bool> ServesCommitAsync(Hash20 commit, CancellationToken cancellationToken) =>
        await FindRepositoryAsync(commit, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Accepts inbound handshakes whose info_hash is a commit we serve (docs/PROTOCOL.md section 4).</summary>
    private sealed class CommitHandler(GitTorrentNode node) : IUnknownInfoHashHandler
    {
        public ValueTask<bool> ShouldAcceptAsync(Hash20 infoHash, IPEndPoint remote, CancellationToken cancellationToken) =>
            node.ServesCommitAsync(infoHash, cancellationToken);
    }

    /// <summary>Lets the extension be built before the node that provides its packs.</summary>
    private sealed class DeferredProvider(Func<GitTorrentNode?> node) : IGitTorrentPackProvider
    {
        public Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> haves, CancellationToken cancellationToken) =>
            GetPackInfoHashAsync(want, [], haves, cancellationToken);

        public Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
            CancellationToken cancellationToken) =>
            (node() ?? throw new GitTorrentException("the node is starting")).GetPackInfoHashAsync(want, moreWants, haves, cancellationToken);

        public Task<Hash20> GetPackInfoHashAsync(Hash20 want, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves,
            IPAddress requester, CancellationToken cancellationToken) =>
            (node() ?? throw new GitTorrentException("the node is starting")).GetPackInfoHashAsync(want, moreWants, haves, requester,
                cancellationToken);
    }

    /// <summary>Announces under a fixed port (the daemon's) rather than the engine's listener.</summary>
    private sealed class AnnounceAs(IPeerDiscovery inner, int port) : IPeerDiscovery
    {
        public IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash, CancellationToken cancellationToken) =>
            inner.FindPeersAsync(infoHash, cancellationToken);

        public Task AnnounceAsync(Hash20 infoHash, int ignored, CancellationToken cancellationToken) =>
            inner.AnnounceAsync(infoHash, port, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pack for {Commit} is {InfoHash} ({Size} bytes, cached {FromCache})")]
    private static partial void LogPackReady(ILogger logger, string commit, string infoHash, long size, bool fromCache);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not re-seed cached pack {InfoHash}: {Reason}")]
    private static partial void LogReseedFailed(ILogger logger, string infoHash, string reason);
}
