using System.Collections.Concurrent;
using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Packs built for (want, haves) requests, kept on disk as <c>&lt;infohash&gt;.pack</c> beside their
/// <c>&lt;infohash&gt;.torrent</c> (INTERFACES.md, daemon) and reused for the same request. Concurrent
/// requests for the same pack build it once. The total size of packs is bounded; the least recently
/// used are deleted first.
/// </summary>
public sealed class PackCache
{
    private readonly string _directory;
    private readonly string _requests;
    private readonly long _maxBytes;
    private readonly ConcurrentDictionary<Hash20, Lazy<Task<CachedPack>>> _building = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<Hash20, DateTime> _lastUse = [];

    /// <param name="directory">Folder of packs and torrents (e.g. <c>$GITTORRENT_HOME/packs</c>).</param>
    /// <param name="maxBytes">Upper bound of the packs' total size.</param>
    public PackCache(string directory, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _directory = Path.GetFullPath(directory);
        _requests = Path.Combine(_directory, "requests");
        _maxBytes = maxBytes;
        Directory.CreateDirectory(_requests);
        foreach (var pack in Directory.EnumerateFiles(_directory, "*.pack"))
        {
            if (Hash20.TryParse(Path.GetFileNameWithoutExtension(pack), out var infoHash))
            {
                _lastUse[infoHash] = File.GetLastWriteTimeUtc(pack);
            }
        }
    }

    /// <summary>Raised after a pack and its torrent were deleted to respect the size bound.</summary>
    public event Action<Hash20>? Evicted;

    public string Folder => _directory;

    /// <summary>Total bytes of the packs on disk.</summary>
    public long TotalBytes => Directory.EnumerateFiles(_directory, "*.pack").Sum(f => new FileInfo(f).Length);

    /// <summary>
    /// Returns the cached pack for the request or builds it with <see cref="PackBuilder"/>. After building,
    /// <paramref name="makeTorrent"/> creates the metainfo for the pack file (path, wanted commit) and returns its
    /// infohash and bytes; the torrent's file name should be <c>&lt;commit&gt;.pack</c> (PROTOCOL.md section 4).
    /// </summary>
    public Task<CachedPack> GetOrBuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> haves,
        Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent, CancellationToken cancellationToken) =>
        GetOrBuildAsync(repositoryPath, want, [], haves, makeTorrent, cancellationToken);

    /// <summary>The same for a pack of several wanted commits (<see cref="PackBuilder"/>), keyed by all of them.</summary>
    public async Task<CachedPack> GetOrBuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> moreWants,
        IReadOnlyCollection<Hash20> haves, Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent,
        CancellationToken cancellationToken)
    {
        var key = RequestKey(want, haves, moreWants);
        if (TryGetCached(key, want) is { } cached)
        {
            return cached;
        }
        var lazy = _building.GetOrAdd(key, _ => new Lazy<Task<CachedPack>>(
            () => BuildAsync(key, repositoryPath, want, moreWants, haves, makeTorrent, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _building.TryRemove(new KeyValuePair<Hash20, Lazy<Task<CachedPack>>>(key, lazy));
            }
        }
    }

    /// <summary>The pack with this infohash, if it is on disk.</summary>
    public CachedPack? Find(Hash20 infoHash, Hash20 commit)
    {
        var pack = PackPath(infoHash);
        var torrent = TorrentPath(infoHash);
        if (!File.Exists(pack) || !File.Exists(torrent))
        {
            return null;
        }
        Touch(infoHash);
        return new CachedPack(infoHash, commit, pack, torrent, new FileInfo(pack).Length, FromCache: true);
    }

    public string PackPath(Hash20 infoHash) => Path.Combine(_directory, infoHash + ".pack");

    public string TorrentPath(Hash20 infoHash) => Path.Combine(_directory, infoHash + ".torrent");

    /// <summary>
    /// Request key: SHA-1 over the wanted commit, the sorted, distinct more wants (none: the key of a one-commit request)
    /// and the sorted, distinct haves.
    /// </summary>
    public static Hash20 RequestKey(Hash20 want, IEnumerable<Hash20> haves, IEnumerable<Hash20>? moreWants = null)
    {
        var text = new StringBuilder(want.ToString()).Append('\n');
        foreach (var more in (moreWants ?? []).Where(w => w != want).Distinct().Order())
        {
            text.Append('+').Append(more.ToString()).Append('\n');
        }
        foreach (var have in haves.Distinct().Order())
        {
            text.Append('^').Append(have.ToString()).Append('\n');
        }
        return Hash20.Sha1(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private CachedPack? TryGetCached(Hash20 key, Hash20 want)
    {
        var requestFile = Path.Combine(_requests, key.ToString());
        if (!File.Exists(requestFile))
        {
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(requestFile).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        return Hash20.TryParse(text, out var infoHash) ? Find(infoHash, want) : null;
    }

    private async Task<CachedPack> BuildAsync(Hash20 key, string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> moreWants,
        IReadOnlyCollection<Hash20> haves,
        Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_directory, $"building-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16,
                             FileOptions.Asynchronous))
            {
                await PackBuilder.BuildAsync(repositoryPath, want, moreWants, haves, file, cancellationToken).ConfigureAwait(false);
            }
            var (infoHash, torrent) = await makeTorrent(temp, want, cancellationToken).ConfigureAwait(false);
            var packPath = PackPath(infoHash);
            var torrentPath = TorrentPath(infoHash);
            await File.WriteAllBytesAsync(torrentPath + ".tmp", torrent, cancellationToken).ConfigureAwait(false);
            File.Move(torrentPath + ".tmp", torrentPath, overwrite: true);
            File.Move(temp, packPath, overwrite: true);
            await File.WriteAllTextAsync(Path.Combine(_requests, key.ToString()), infoHash.ToString(), cancellationToken)
                .ConfigureAwait(false);
            Touch(infoHash);
            var size = new FileInfo(packPath).Length;
            EvictBeyondLimit(keep: infoHash);
            return new CachedPack(infoHash, want, packPath, torrentPath, size, FromCache: false);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private void Touch(Hash20 infoHash)
    {
        lock (_gate)
        {
            _lastUse[infoHash] = DateTime.UtcNow;
        }
    }

    private void EvictBeyondLimit(Hash20 keep)
    {
        List<Hash20> evicted = [];
        lock (_gate)
        {
            var sizes = _lastUse.Keys.ToDictionary(h => h, h => File.Exists(PackPath(h)) ? new FileInfo(PackPath(h)).Length : 0L);
            var total = sizes.Values.Sum();
            foreach (var (infoHash, _) in _lastUse.OrderBy(e => e.Value).ToList())
            {
                if (total <= _maxBytes)
                {
                    break;
                }
                if (infoHash == keep)
                {
                    continue;
                }
                File.Delete(PackPath(infoHash));
                File.Delete(TorrentPath(infoHash));
                total -= sizes[infoHash];
                _lastUse.Remove(infoHash);
                evicted.Add(infoHash);
            }
        }
        foreach (var infoHash in evicted)
        {
            Evicted?.Invoke(infoHash);
        }
    }
}
