using System.Collections.Concurrent;
using System.Net;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Torrents.Storage;
using GitTorrent.Engine.Client;
using GitTorrent.Engine.Node;
using GitTorrent.Engine.Wire.Extensions;
using Microsoft.Extensions.Logging;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Fetch;

/// <summary>
/// The client side of docs/PROTOCOL.md section 4: finds the peers that announce a commit, asks them in parallel
/// with ut_gittorrent, downloads the pack torrent from every peer that answered with the same infohash (and any
/// the DHT knows), imports it with <c>git index-pack --fix-thin</c> and checks the commit is complete. A peer
/// that lies, fails or stays silent is skipped and the next answer is tried.
/// </summary>
public sealed partial class SwarmFetcher(GitTorrentNode node, ILogger<SwarmFetcher>? logger = null) : ISwarmFetcher, IAsyncDisposable
{
    /// <summary>Peers asked at once.</summary>
    public const int MaxConcurrentAsks = 8;

    /// <summary>After the first answer, how long to wait for more peers with the same pack before downloading.</summary>
    public static readonly TimeSpan GroupingDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The grouping wait also ends when every peer found has answered and the lookup found nobody new for this long: a
    /// lookup still querying DHT nodes that left (clones come and go) would otherwise hold every fetch for the whole
    /// <see cref="GroupingDelay"/>. Peers found later still join the download through the DHT (they announce the pack).
    /// </summary>
    public static readonly TimeSpan GroupingQuietTime = TimeSpan.FromMilliseconds(150);

    /// <summary>At most how long a download waits for all answering peers to be ready before requesting blocks.</summary>
    public static readonly TimeSpan PeerGatherTime = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly ConcurrentBag<(Hash20 InfoHash, string Path)> _downloads = [];

    public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        CancellationToken cancellationToken) => FetchAsync(commit, haves, gitDirectory, (IProgress<DownloadProgress>?)null, cancellationToken);

    public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        SwarmFetchOptions options, CancellationToken cancellationToken) =>
        FetchAsync(commit, haves, gitDirectory, null, options, cancellationToken);

    public async Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        IProgress<DownloadProgress>? progress, SwarmFetchOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(haves);
        options ??= new SwarmFetchOptions([]);
        progress = options.Quiet ? null : options.Progress ?? progress;
        var fetch = new Attempt(commit, options.MoreWants, haves, gitDirectory, progress, options);
        if (options.KnownPeers.Count == 0)
        {
            return options.LookUp
                ? await FetchFromSwarmAsync(fetch, cancellationToken).ConfigureAwait(false)
                : new SwarmFetchResult(false, 0, [], ["no peer to ask"]);
        }
        var known = await FetchFromKnownPeersAsync(fetch, options.KnownPeers, cancellationToken).ConfigureAwait(false);
        if (known.Success || !options.LookUp || options.GiveUp.IsCancellationRequested)
        {
            return known;
        }
        fetch.Answers.Clear(); // the known peers' packs failed: only new answers are tried (failures are kept)
        return await FetchFromSwarmAsync(fetch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks peers that served this repository before, without a DHT lookup, and takes the pack most of them name. One
    /// round trip instead of a lookup and a grouping delay: what makes the many small packs after a clone's first cheap.
    /// </summary>
    private async Task<SwarmFetchResult> FetchFromKnownPeersAsync(Attempt fetch, IReadOnlyList<IPEndPoint> peers,
        CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, fetch.Options.GiveUp);
        overall.CancelAfter(node.Options.FetchTimeout);
        var asks = peers.Distinct().Where(p => !node.Torrents.IsOwnEndPoint(p)).Take(MaxConcurrentAsks).Select(async peer =>
        {
            try
            {
                await AskAndRecordAsync(fetch, peer, overall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                fetch.Failures.Enqueue($"{peer}: no answer in time");
            }
        }).ToList();
        await Task.WhenAll(asks).ConfigureAwait(false);
        var asked = started.Elapsed;
        var tried = new HashSet<Hash20>();
        while (!fetch.Options.GiveUp.IsCancellationRequested && PickUntried(fetch.Answers, tried) is { } next)
        {
            tried.Add(next);
            try
            {
                var result = await DownloadAndImportAsync(fetch, next, () => ExtendDeadline(overall), cancellationToken, overall.Token)
                    .ConfigureAwait(false);
                if (result is not null)
                {
                    return result with
                    {
                        Failures = [.. fetch.Failures],
                        Peers = [.. fetch.Answers[next].Keys],
                        Timings = $"asked known peers in {asked.TotalSeconds:0.00} s, {result.Timings}, total {started.Elapsed.TotalSeconds:0.00} s",
                    };
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                fetch.Failures.Enqueue(fetch.Options.GiveUp.IsCancellationRequested
                    ? "given up"
                    : $"gave up on the known peers after {node.Options.FetchTimeout.TotalSeconds:0} s");
                break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new SwarmFetchResult(false, 0, [], [.. fetch.Failures]);
    }

    public Task<SwarmFetchResult> FetchAsync(Hash20 commit, IReadOnlyList<Hash20> haves, string gitDirectory,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken) =>
        FetchAsync(commit, haves, gitDirectory, progress, null, cancellationToken);

    /// <summary>Looks the commit up in the DHT (and the configured extra peers) and asks every peer found.</summary>
    private async Task<SwarmFetchResult> FetchFromSwarmAsync(Attempt fetch, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, fetch.Options.GiveUp);
        overall.CancelAfter(node.Options.FetchTimeout);
        var answered = new SemaphoreSlim(0);
        var lookup = new LookupState();
        var asking = AskAllAsync(fetch, answered, lookup, overall.Token);
        var tried = new HashSet<Hash20>();
        var firstAnswer = TimeSpan.Zero;
        try
        {
            while (true)
            {
                var next = PickUntried(fetch.Answers, tried);
                if (next is null)
                {
                    if (asking.IsCompleted)
                    {
                        break;
                    }
                    await Task.WhenAny(answered.WaitAsync(overall.Token), asking).ConfigureAwait(false);
                    continue;
                }
                if (tried.Count == 0)
                {
                    firstAnswer = started.Elapsed;
                    // Until every peer found has answered (the lookup and all asks ended, or all asks ended and the lookup
                    // has been quiet for a while) or the grouping delay passed.
                    while (!asking.IsCompleted && started.Elapsed - firstAnswer < GroupingDelay && !lookup.IsQuiet)
                    {
                        await Task.WhenAny(Task.Delay(20, overall.Token), asking).ConfigureAwait(false);
                        overall.Token.ThrowIfCancellationRequested();
                    }
                    next = PickUntried(fetch.Answers, tried)!.Value;
                }
                tried.Add(next.Value);
                // FetchTimeout bounds the time without progress: a large pack that keeps arriving is not cut off
                // (the stall watchdog still gives up on a download that stops), and importing is not bounded by it.
                var result = await DownloadAndImportAsync(fetch, next.Value, () => ExtendDeadline(overall), cancellationToken, overall.Token)
                    .ConfigureAwait(false);
                if (result is not null)
                {
                    return result with
                    {
                        Failures = [.. fetch.Failures],
                        Peers = [.. fetch.Answers[next.Value].Keys],
                        PeersFound = lookup.FoundCount,
                        Timings = $"first answer after {firstAnswer.TotalSeconds:0.00} s, {result.Timings}, total {started.Elapsed.TotalSeconds:0.00} s",
                    };
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            fetch.Failures.Enqueue(fetch.Options.GiveUp.IsCancellationRequested
                ? $"stopped after {started.Elapsed.TotalSeconds:0.0} s with {lookup.FoundCount} peer(s) found"
                : $"gave up on the swarm after {node.Options.FetchTimeout.TotalSeconds:0} s");
        }
        finally
        {
            await overall.CancelAsync().ConfigureAwait(false);
            try
            {
                await asking.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected once we stop asking.
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (fetch.Answers.IsEmpty && fetch.Failures.IsEmpty)
        {
            fetch.Failures.Enqueue("no peer announces this commit");
        }
        return new SwarmFetchResult(false, 0, [], [.. fetch.Failures]) { PeersFound = lookup.FoundCount };
    }

    private void ExtendDeadline(CancellationTokenSource overall)
    {
        try
        {
            overall.CancelAfter(node.Options.FetchTimeout);
        }
        catch (ObjectDisposedException)
        {
            // A late progress report after the fetch ended.
        }
    }

    private static Hash20? PickUntried(ConcurrentDictionary<Hash20, ConcurrentDictionary<IPEndPoint, byte>> answers, HashSet<Hash20> tried) =>
        answers.Where(a => !tried.Contains(a.Key)).OrderByDescending(a => a.Value.Count).Select(a => (Hash20?)a.Key).FirstOrDefault();

    private async Task AskAllAsync(Attempt fetch, SemaphoreSlim answered, LookupState lookup, CancellationToken cancellationToken)
    {
        var discovery = new CompositePeerDiscovery(new StaticPeerDiscovery(node.Options.ExtraPeers), node.Dht);
        using var slots = new SemaphoreSlim(MaxConcurrentAsks);
        var asks = new List<Task>();
        var seen = new HashSet<IPEndPoint>();
        await foreach (var peer in discovery.FindPeersAsync(fetch.Commit, cancellationToken).ConfigureAwait(false))
        {
            if (!seen.Add(peer) || node.Torrents.IsOwnEndPoint(peer))
            {
                continue;
            }
            lookup.Found();
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            asks.Add(Task.Run(async () =>
            {
                try
                {
                    if (await AskAndRecordAsync(fetch, peer, cancellationToken).ConfigureAwait(false))
                    {
                        answered.Release();
                    }
                }
                finally
                {
                    lookup.Answered();
                    slots.Release();
                }
            }, cancellationToken));
        }
        await Task.WhenAll(asks).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks one peer and records its answer: the infohash it named (true), or why it did not (false). A peer's own
    /// failure is recorded, never thrown; cancellation is.
    /// </summary>
    private async Task<bool> AskAndRecordAsync(Attempt fetch, IPEndPoint peer, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await AskOneAsync(fetch, peer, cancellationToken).ConfigureAwait(false);
            if (answer.Kind == GitTorrentMessageKind.Reply)
            {
                fetch.Answers.GetOrAdd(answer.InfoHash, _ => new()).TryAdd(peer, 0);
                LogAnswer(_logger, peer.ToString(), fetch.Commit.ToString(), answer.InfoHash.ToString());
                return true;
            }
            fetch.Failures.Enqueue($"{peer}: {(answer.Error is { } error ? RemoteText.Printable(error) : "unexpected answer")}");
        }
        catch (Exception e) when (e is GitTorrentException or IOException or System.Net.Sockets.SocketException)
        {
            fetch.Failures.Enqueue($"{peer}: {e.Message}");
        }
        return false;
    }

    /// <summary>
    /// Asks one peer; while it answers that it is busy (many clients building packs at once), asks again after a growing,
    /// jittered pause, until <paramref name="cancellationToken"/> (the fetch's deadline) ends it.
    /// </summary>
    private async Task<GitTorrentMessage> AskOneAsync(Attempt fetch, IPEndPoint peer, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await AskOnceAsync(fetch, peer, cancellationToken).ConfigureAwait(false);
            if (answer.Kind != GitTorrentMessageKind.Error || answer.Error != GitTorrentExtension.BusyReason || attempt >= MaxBusyRetries)
            {
                return answer;
            }
            var pause = TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5)) * (0.5 + Random.Shared.NextDouble()));
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How often a busy peer is asked again (about 30 s of pauses at most).</summary>
    private const int MaxBusyRetries = 35;

    private async Task<GitTorrentMessage> AskOnceAsync(Attempt fetch, IPEndPoint peer, CancellationToken cancellationToken)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(node.Options.AskTimeout);
        PeerConnectionHolder holder = new();
        try
        {
            holder.Connection = await node.Torrents.ConnectBareAsync(fetch.Commit, peer, connect.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GitTorrentException("could not connect in time");
        }
        fetch.Reached();
        await using (holder.Connection.ConfigureAwait(false))
        {
            return await GitTorrentExtension.AskAsync(holder.Connection, fetch.Commit, fetch.Haves, fetch.MoreWants, node.Options.AskTimeout,
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SwarmFetchResult?> DownloadAndImportAsync(Attempt fetch, Hash20 infoHash, Action onProgress,
        CancellationToken importToken, CancellationToken cancellationToken)
    {
        var answeringPeers = fetch.Answers[infoHash];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var folder = Path.Combine(node.Options.StateDirectory, "downloads");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, infoHash + ".pack");
        var peers = string.Join(", ", answeringPeers.Keys);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = new StallWatchdog(stall, node.Options.StallTimeout, node.Options.TimeProvider);
        // Once the size is known: over the node's limit or the caller's reservation refused = the pack is dropped.
        using var gate = new PackSizeGate(node.Options.MaxPackBytes, fetch.Options.ReservePackSpace, stall);
        // Streaming: index-pack reads the verified pieces in file order while the rest downloads (admitted by the gate
        // first); it stops with the download, and a pack it refuses stops the download.
        using var stream = node.Options.StreamPackImport ? new VerifiedPrefixStream() : null;
        using var importStop = CancellationTokenSource.CreateLinkedTokenSource(importToken);
        var relay = new Progress<DownloadProgress>(p =>
        {
            if (p.HasMetadata && !Admit(gate, stream, p.TotalBytes))
            {
                return;
            }
            if (watchdog.Observe(p.VerifiedBytes + (p.HasMetadata ? 1 : 0)))
            {
                onProgress();
            }
            fetch.Progress?.Report(p);
        });
        var discovery = new CompositePeerDiscovery(new LivePeers(answeringPeers), node.Dht);
        var streamed = stream is null ? null
            : PackImporter.ImportAsync(fetch.GitDirectory, stream, fetch.Commit, fetch.Haves, importStop.Token);
        try
        {
            using (watchdog.Start())
            {
                // Every peer that answered with this infohash has the whole pack: wait briefly until they are all
                // connected so the blocks are spread over them instead of going to whichever answered first.
                var waitFor = Math.Min(answeringPeers.Count, MaxConcurrentAsks);
                var download = stream is null
                    ? node.Torrents.DownloadAsync(infoHash, path, discovery, waitFor, PeerGatherTime, relay, stall.Token)
                    : node.Torrents.DownloadAsync(infoHash, path, discovery, waitFor, PeerGatherTime, stream, relay, stall.Token);
                if (streamed is not null && await Task.WhenAny(download, streamed).ConfigureAwait(false) == streamed
                    && streamed.IsCompletedSuccessfully && !streamed.Result.Success)
                {
                    // index-pack refused the pack before it was complete: no use downloading the rest.
                    await stall.CancelAsync().ConfigureAwait(false);
                    await IgnoreFailureAsync(download).ConfigureAwait(false);
                    return await RefuseImportAsync(fetch, infoHash, path, peers, streamed.Result).ConfigureAwait(false);
                }
                var metainfo = await download.ConfigureAwait(false);
                // Progress reports are posted, so a small pack can complete before the gate saw it: decide now at the latest.
                Admit(gate, stream, metainfo.Length);
                stall.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && gate.Refusal is { } refusal)
        {
            fetch.Failures.Enqueue($"pack {infoHash} from {peers}: {refusal}");
            LogPackRefused(_logger, infoHash.ToString(), refusal);
            await StopImportAsync(streamed, importStop).ConfigureAwait(false);
            await DiscardAsync(infoHash, path).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var trouble = node.Torrents.GetTrouble(infoHash);
            var why = trouble is null || trouble.HashFailures == 0 ? ""
                : $" ({trouble.HashFailures} pieces failed their hash check"
                  + (trouble.Banned.Count > 0 ? $"; banned {string.Join(", ", trouble.Banned)} for corrupt pieces)" : ")");
            fetch.Failures.Enqueue($"pack {infoHash} from {peers}: no progress for {node.Options.StallTimeout.TotalSeconds:0} s{why}");
            await StopImportAsync(streamed, importStop).ConfigureAwait(false);
            await DiscardAsync(infoHash, path).ConfigureAwait(false);
            return null;
        }
        catch (GitTorrentException e)
        {
            fetch.Failures.Enqueue($"pack {infoHash} from {peers}: {e.Message}");
            await StopImportAsync(streamed, importStop).ConfigureAwait(false);
            await DiscardAsync(infoHash, path).ConfigureAwait(false);
            return null;
        }
        catch
        {
            await StopImportAsync(streamed, importStop).ConfigureAwait(false);
            throw;
        }
        // Seeds are dropped once the download completes, so count per peer including disconnected ones.
        var downloaded = watch.Elapsed;
        var perPeer = node.Torrents.GetDownloadedByPeer(infoHash)
            .Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => $"{p.Key} ({p.Value} bytes)").ToList();
        PackImportResult imported;
        if (streamed is not null)
        {
            imported = await streamed.ConfigureAwait(false);
        }
        else
        {
            await using var pack = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous);
            imported = await PackImporter.ImportAsync(fetch.GitDirectory, pack, fetch.Commit, fetch.Haves, importToken).ConfigureAwait(false);
        }
        if (!imported.Success)
        {
            return await RefuseImportAsync(fetch, infoHash, path, peers, imported).ConfigureAwait(false);
        }
        if (node.Options.SeedDownloadedPacks)
        {
            _downloads.Add((infoHash, path));
        }
        else
        {
            // The repository now holds the objects and the node serves them from there: no second copy.
            await DiscardAsync(infoHash, path).ConfigureAwait(false);
        }
        return new SwarmFetchResult(true, imported.PackBytes, perPeer.Count > 0 ? perPeer : [peers], [])
        {
            InfoHash = infoHash,
            KeepFile = imported.KeepFile,
            Timings = $"download {downloaded.TotalSeconds:0.00} s, import and verify {(watch.Elapsed - downloaded).TotalSeconds:0.00} s"
                + (streamed is null ? "" : " more (streamed)"),
        };
    }

    /// <summary>The gate decides on the pack's size; once it admitted the pack, the stream may be read.</summary>
    private static bool Admit(PackSizeGate gate, VerifiedPrefixStream? stream, long bytes)
    {
        if (!gate.Admit(bytes))
        {
            return false;
        }
        stream?.Admit();
        return true;
    }

    /// <summary>The pack was downloaded (or partly) and git refused it: recorded and deleted.</summary>
    private async Task<SwarmFetchResult?> RefuseImportAsync(Attempt fetch, Hash20 infoHash, string path, string peers,
        PackImportResult imported)
    {
        fetch.Failures.Enqueue($"pack {infoHash} from {peers}: {imported.Error}");
        await DiscardAsync(infoHash, path).ConfigureAwait(false);
        return null;
    }

    /// <summary>Stops a streamed import whose download failed: git is killed and its quarantine removed.</summary>
    private static async Task StopImportAsync(Task<PackImportResult>? import, CancellationTokenSource stop)
    {
        if (import is null)
        {
            return;
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await IgnoreFailureAsync(import).ConfigureAwait(false);
    }

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or GitTorrentException or IOException)
        {
            // Ended as intended; its own failure is reported elsewhere.
        }
    }

    private async Task DiscardAsync(Hash20 infoHash, string path)
    {
        await node.Torrents.RemoveAsync(infoHash, CancellationToken.None).ConfigureAwait(false);
        TryDelete(path);
    }

    /// <summary>Stops seeding what this fetcher downloaded and deletes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (infoHash, path) in _downloads)
        {
            await node.Torrents.RemoveAsync(infoHash, CancellationToken.None).ConfigureAwait(false);
            TryDelete(path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>What the lookup of one fetch has found so far: asks still out, and when the last new peer came.</summary>
    private sealed class LookupState
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _pending;
        private long _lastFoundTicks;

        private int _found;

        /// <summary>Distinct peers the lookup has found.</summary>
        public int FoundCount => Volatile.Read(ref _found);

        public void Found()
        {
            Interlocked.Increment(ref _found);
            Interlocked.Increment(ref _pending);
            Interlocked.Exchange(ref _lastFoundTicks, _clock.Elapsed.Ticks);
        }

        public void Answered() => Interlocked.Decrement(ref _pending);

        /// <summary>Every peer found has answered and none was found for <see cref="GroupingQuietTime"/>.</summary>
        public bool IsQuiet => Volatile.Read(ref _pending) == 0
            && _clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastFoundTicks)) >= GroupingQuietTime;
    }

    /// <summary>One fetch: what is asked for, and the answers and failures gathered from its peers.</summary>
    private sealed class Attempt(Hash20 commit, IReadOnlyList<Hash20> moreWants, IReadOnlyList<Hash20> haves, string gitDirectory,
        IProgress<DownloadProgress>? progress, SwarmFetchOptions options)
    {
        private int _reached;

        public Hash20 Commit { get; } = commit;

        public IReadOnlyList<Hash20> MoreWants { get; } = moreWants;

        public IReadOnlyList<Hash20> Haves { get; } = haves;

        public string GitDirectory { get; } = gitDirectory;

        public IProgress<DownloadProgress>? Progress { get; } = progress;

        public SwarmFetchOptions Options { get; } = options;

        /// <summary>Infohash named by peers, and the peers that named it.</summary>
        public ConcurrentDictionary<Hash20, ConcurrentDictionary<IPEndPoint, byte>> Answers { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>A peer was reached: tells the caller once.</summary>
        public void Reached()
        {
            if (Interlocked.Exchange(ref _reached, 1) == 0)
            {
                Options.PeerReached?.Invoke();
            }
        }
    }

    private sealed class PeerConnectionHolder
    {
        public Wire.PeerConnection Connection { get; set; } = null!;
    }

    /// <summary>The peers that answered with one infohash, as they are when the engine asks.</summary>
    private sealed class LivePeers(ConcurrentDictionary<IPEndPoint, byte> peers) : IPeerDiscovery
    {
        public async IAsyncEnumerable<IPEndPoint> FindPeersAsync(Hash20 infoHash,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var peer in peers.Keys)
            {
                yield return peer;
            }
            await Task.CompletedTask.ConfigureAwait(false);
        }

        public Task AnnounceAsync(Hash20 infoHash, int port, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pack {InfoHash} refused: {Reason}")]
    private static partial void LogPackRefused(ILogger logger, string infoHash, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Peer} serves {Commit} as pack {InfoHash}")]
    private static partial void LogAnswer(ILogger logger, string peer, string commit, string infoHash);
}
