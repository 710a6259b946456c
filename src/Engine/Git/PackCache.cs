using System.Net;
using System.Text;

namespace GitTorrent.Engine.Git;

/// <summary>
/// Packs built for (want, haves) requests, kept on disk as <c>&lt;infohash&gt;.pack</c> beside their
/// <c>&lt;infohash&gt;.torrent</c> (INTERFACES.md, daemon) and reused for the same request (<c>requests/&lt;key&gt;</c>
/// names the pack of each request key).
/// <list type="bullet">
/// <item>The key is made of the request as the repository sees it (<see cref="PackBuilder.ResolveAsync"/>): haves it
/// lacks do not make a new key.</item>
/// <item>Identical requests share one build; a build nobody waits for any more is cancelled (its
/// <c>git pack-objects</c> killed).</item>
/// <item>At most <c>maxBuilds</c> builds run at once, and at most <c>maxBuildsPerAddress</c> for one requester address;
/// a request beyond either is refused at once with <see cref="PackBuildRefusedException"/> (the requester asks again
/// later), not queued.</item>
/// <item>Packs, the files of builds under way and the request files (charged <see cref="RequestFileCharge"/> each) stay
/// within <c>maxBytes</c> together: the least recently used packs go first, with their request files; a build that
/// cannot fit is stopped.</item>
/// </list>
/// </summary>
public sealed class PackCache
{
    /// <summary>What one file of <c>requests/</c> is charged against the size bound: a file system block.</summary>
    public const long RequestFileCharge = 4096;

    /// <summary>Default of the per-address bound: one build at a time for each requester address.</summary>
    public const int DefaultMaxBuildsPerAddress = 1;

    /// <summary>Default of the global bound: one build per core (pack-objects runs single-threaded).</summary>
    public static int DefaultMaxBuilds => Environment.ProcessorCount;

    private const string TempPrefix = "building-";

    private readonly string _directory;
    private readonly string _requests;
    private readonly long _maxBytes;
    private readonly int _maxBuilds;
    private readonly int _maxBuildsPerAddress;
    private readonly Lock _gate = new();
    private readonly Dictionary<Hash20, Build> _builds = [];
    private readonly Dictionary<IPAddress, int> _buildsPerAddress = [];
    private readonly Dictionary<Hash20, (DateTime LastUse, long Size)> _packs = [];
    private readonly Dictionary<Hash20, Hash20> _requestIndex = [];
    private long _packBytes;
    private long _tempBytes;
    private int _running;
    private int _peakRunning;
    private long _started;
    private long _shared;
    private long _hits;
    private long _cancelled;
    private long _refusedGlobal;
    private long _refusedPerAddress;
    private long _refusedTooLarge;
    private long _evicted;

    /// <param name="directory">Folder of packs and torrents (e.g. <c>$GITTORRENT_HOME/packs</c>).</param>
    /// <param name="maxBytes">Upper bound of packs, builds under way and request files together.</param>
    /// <param name="maxBuilds">Builds at once; default <see cref="DefaultMaxBuilds"/>.</param>
    /// <param name="maxBuildsPerAddress">Builds at once started for one address; default <see cref="DefaultMaxBuildsPerAddress"/>.</param>
    public PackCache(string directory, long maxBytes, int? maxBuilds = null, int maxBuildsPerAddress = DefaultMaxBuildsPerAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxBuilds = maxBuilds ?? DefaultMaxBuilds;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxBuilds, nameof(maxBuilds));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBuildsPerAddress);
        _maxBuildsPerAddress = maxBuildsPerAddress;
        _directory = Path.GetFullPath(directory);
        _requests = Path.Combine(_directory, "requests");
        _maxBytes = maxBytes;
        Directory.CreateDirectory(_requests);
        Load();
    }

    /// <summary>Raised after a pack and its torrent were deleted to respect the size bound.</summary>
    public event Action<Hash20>? Evicted;

    public string Folder => _directory;

    /// <summary>Total bytes of the packs on disk.</summary>
    public long TotalBytes => Directory.EnumerateFiles(_directory, "*.pack").Sum(f => new FileInfo(f).Length);

    /// <summary>What counts against the size bound now: packs, builds under way and request files.</summary>
    public long UsedBytes
    {
        get
        {
            lock (_gate)
            {
                return Used();
            }
        }
    }

    public PackCacheStatistics GetStatistics()
    {
        lock (_gate)
        {
            return new PackCacheStatistics(_started, _running, _peakRunning, _shared, _hits, _cancelled, _refusedGlobal, _refusedPerAddress,
                _refusedTooLarge, _evicted, _packs.Count, Used());
        }
    }

    /// <summary>
    /// Returns the cached pack for the request or builds it with <see cref="PackBuilder"/>. After building,
    /// <paramref name="makeTorrent"/> creates the metainfo for the pack file (path, wanted commit) and returns its
    /// infohash and bytes; the torrent's file name should be <c>&lt;commit&gt;.pack</c> (docs/PROTOCOL.md section 4).
    /// </summary>
    public Task<CachedPack> GetOrBuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> haves,
        Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent, CancellationToken cancellationToken) =>
        GetOrBuildAsync(repositoryPath, want, [], haves, null, makeTorrent, cancellationToken);

    /// <summary>
    /// The same for a pack of several wanted commits (<see cref="PackBuilder"/>), keyed by all of them; a new build counts
    /// against the bounds of <paramref name="requester"/> (null: only the global one).
    /// </summary>
    /// <exception cref="PackBuildRefusedException">A new build is needed and a bound is reached.</exception>
    public async Task<CachedPack> GetOrBuildAsync(string repositoryPath, Hash20 want, IReadOnlyCollection<Hash20> moreWants,
        IReadOnlyCollection<Hash20> haves, IPAddress? requester,
        Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent, CancellationToken cancellationToken)
    {
        var request = await PackBuilder.ResolveAsync(repositoryPath, want, moreWants, haves, cancellationToken).ConfigureAwait(false);
        var key = request.Key;
        requester = requester is { IsIPv4MappedToIPv6: true } ? requester.MapToIPv4() : requester;
        Build? build = null;
        for (var attempt = 0; build is null; attempt++)
        {
            if (TryGetCached(key, want) is { } cached)
            {
                Interlocked.Increment(ref _hits);
                return cached;
            }
            // Null: the build of this key finished in the meantime (its pack is cached now), unless the pack was evicted
            // at once, after which a second look builds it again.
            build = Join(key, requester, attempt > 0, b => BuildAsync(b, repositoryPath, request, makeTorrent));
        }
        try
        {
            return await build.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Joined a build in the instant its last waiter left: ask again.
            throw new PackBuildRefusedException("build cancelled");
        }
        finally
        {
            Leave(build);
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
        var size = new FileInfo(pack).Length;
        lock (_gate)
        {
            Track(infoHash, size);
        }
        return new CachedPack(infoHash, commit, pack, torrent, size, FromCache: true);
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

    /// <summary>Reads what a previous run left: packs, request files pointing at them; the rest is deleted.</summary>
    private void Load()
    {
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                TryDelete(file); // a build or a write cut short by a stop
            }
            else if (name.EndsWith(".pack", StringComparison.Ordinal) && Hash20.TryParse(Path.GetFileNameWithoutExtension(name), out var infoHash))
            {
                var info = new FileInfo(file);
                _packs[infoHash] = (info.LastWriteTimeUtc, info.Length);
                _packBytes += info.Length;
            }
        }
        foreach (var file in Directory.EnumerateFiles(_requests))
        {
            string text;
            try
            {
                text = File.ReadAllText(file).Trim();
            }
            catch (IOException)
            {
                text = "";
            }
            if (Hash20.TryParse(Path.GetFileName(file), out var key) && Hash20.TryParse(text, out var infoHash) && _packs.ContainsKey(infoHash))
            {
                _requestIndex[key] = infoHash;
            }
            else
            {
                TryDelete(file);
            }
        }
        EvictBeyondLimit(keep: null);
    }

    private CachedPack? TryGetCached(Hash20 key, Hash20 want)
    {
        Hash20 infoHash;
        lock (_gate)
        {
            if (!_requestIndex.TryGetValue(key, out infoHash))
            {
                return null;
            }
        }
        return Find(infoHash, want);
    }

    /// <summary>Joins the build of <paramref name="key"/> or starts one within the bounds.</summary>
    private Build? Join(Hash20 key, IPAddress? requester, bool evenIfCached, Func<Build, Task<CachedPack>> run)
    {
        Build build;
        lock (_gate)
        {
            if (_builds.TryGetValue(key, out var existing) && !existing.Cancellation.IsCancellationRequested)
            {
                existing.Waiters++;
                _shared++;
                return existing;
            }
            if (!evenIfCached && _requestIndex.ContainsKey(key))
            {
                return null;
            }
            if (requester is not null && _buildsPerAddress.GetValueOrDefault(requester) >= _maxBuildsPerAddress)
            {
                _refusedPerAddress++;
                throw new PackBuildRefusedException("MaxPackBuildsPerAddress");
            }
            if (_running >= _maxBuilds)
            {
                _refusedGlobal++;
                throw new PackBuildRefusedException("MaxConcurrentPackBuilds");
            }
            build = new Build(key, requester) { Waiters = 1 };
            _builds[key] = build;
            _running++;
            _peakRunning = Math.Max(_peakRunning, _running);
            _started++;
            if (requester is not null)
            {
                _buildsPerAddress[requester] = _buildsPerAddress.GetValueOrDefault(requester) + 1;
            }
            // Started under the lock, so that a request joining at once finds the task.
            build.Task = Task.Run(async () =>
            {
                try
                {
                    return await run(build).ConfigureAwait(false);
                }
                finally
                {
                    Finish(build);
                }
            });
        }
        return build;
    }

    private void Leave(Build build)
    {
        bool cancel;
        lock (_gate)
        {
            build.Waiters--;
            cancel = build.Waiters == 0 && !build.Finished && !build.Cancellation.IsCancellationRequested;
            if (cancel)
            {
                _cancelled++;
            }
        }
        if (cancel)
        {
            build.Cancellation.Cancel(); // kills pack-objects; the slot is freed once it has exited
        }
    }

    private void Finish(Build build)
    {
        lock (_gate)
        {
            build.Finished = true;
            if (_builds.TryGetValue(build.Key, out var current) && current == build)
            {
                _builds.Remove(build.Key);
            }
            _running--;
            if (build.Requester is { } requester)
            {
                var count = _buildsPerAddress.GetValueOrDefault(requester) - 1;
                if (count <= 0)
                {
                    _buildsPerAddress.Remove(requester);
                }
                else
                {
                    _buildsPerAddress[requester] = count;
                }
            }
        }
    }

    private async Task<CachedPack> BuildAsync(Build build, string repositoryPath, PackRequest request,
        Func<string, Hash20, CancellationToken, Task<(Hash20 InfoHash, byte[] Torrent)>> makeTorrent)
    {
        var cancellationToken = build.Cancellation.Token;
        var temp = Path.Combine(_directory, $"{TempPrefix}{Guid.NewGuid():N}.tmp");
        long charged = 0;
        string? torrentTemp = null;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16,
                             FileOptions.Asynchronous))
            {
                var output = new ChargedWriteStream(file, bytes =>
                {
                    Charge(bytes);
                    charged += bytes;
                });
                await PackBuilder.BuildAsync(repositoryPath, request, output, cancellationToken).ConfigureAwait(false);
            }
            var (infoHash, torrent) = await makeTorrent(temp, request.Want, cancellationToken).ConfigureAwait(false);
            var packPath = PackPath(infoHash);
            var torrentPath = TorrentPath(infoHash);
            torrentTemp = torrentPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(torrentTemp, torrent, cancellationToken).ConfigureAwait(false);
            File.Move(torrentTemp, torrentPath, overwrite: true);
            var size = new FileInfo(temp).Length;
            var requestFile = Path.Combine(_requests, build.Key.ToString());
            await File.WriteAllTextAsync(requestFile, infoHash.ToString(), cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                File.Move(temp, packPath, overwrite: true);
                _tempBytes -= charged;
                charged = 0;
                Track(infoHash, size);
                _requestIndex[build.Key] = infoHash;
            }
            EvictBeyondLimit(keep: infoHash);
            return new CachedPack(infoHash, request.Want, packPath, torrentPath, size, FromCache: false);
        }
        finally
        {
            if (charged != 0)
            {
                lock (_gate)
                {
                    _tempBytes -= charged;
                }
            }
            TryDelete(temp);
            if (torrentTemp is not null)
            {
                TryDelete(torrentTemp);
            }
        }
    }

    /// <summary>Room for <paramref name="bytes"/> more of a build under way, made by evicting old packs if need be.</summary>
    private void Charge(int bytes)
    {
        lock (_gate)
        {
            _tempBytes += bytes;
        }
        if (UsedBytes <= _maxBytes)
        {
            return;
        }
        EvictBeyondLimit(keep: null);
        lock (_gate)
        {
            if (Used() > _maxBytes)
            {
                _tempBytes -= bytes;
                _refusedTooLarge++;
                throw new GitTorrentException($"the pack does not fit in the pack cache ({_maxBytes} bytes with the builds under way)");
            }
        }
    }

    private long Used() => _packBytes + _tempBytes + (_requestIndex.Count * RequestFileCharge);

    /// <summary>Records a use of the pack (and its size, when first seen); call under the lock.</summary>
    private void Track(Hash20 infoHash, long size)
    {
        if (_packs.TryGetValue(infoHash, out var known))
        {
            _packBytes += size - known.Size;
        }
        else
        {
            _packBytes += size;
        }
        _packs[infoHash] = (DateTime.UtcNow, size);
    }

    private void EvictBeyondLimit(Hash20? keep)
    {
        List<Hash20> evicted = [];
        lock (_gate)
        {
            foreach (var (infoHash, _) in _packs.OrderBy(e => e.Value.LastUse).ToList())
            {
                if (Used() <= _maxBytes)
                {
                    break;
                }
                if (infoHash == keep)
                {
                    continue;
                }
                TryDelete(PackPath(infoHash));
                TryDelete(TorrentPath(infoHash));
                _packBytes -= _packs[infoHash].Size;
                _packs.Remove(infoHash);
                foreach (var key in _requestIndex.Where(r => r.Value == infoHash).Select(r => r.Key).ToList())
                {
                    _requestIndex.Remove(key);
                    TryDelete(Path.Combine(_requests, key.ToString()));
                }
                _evicted++;
                evicted.Add(infoHash);
            }
        }
        foreach (var infoHash in evicted)
        {
            Evicted?.Invoke(infoHash);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's clean-up.
        }
    }

    /// <summary>One build under way and the requests waiting for it.</summary>
    private sealed class Build(Hash20 key, IPAddress? requester)
    {
        public Hash20 Key { get; } = key;

        public IPAddress? Requester { get; } = requester;

        public CancellationTokenSource Cancellation { get; } = new();

        public Task<CachedPack> Task { get; set; } = null!;

        /// <summary>Requests waiting; guarded by the cache's lock.</summary>
        public int Waiters { get; set; }

        /// <summary>Its slot is free again; guarded by the cache's lock.</summary>
        public bool Finished { get; set; }
    }
}
