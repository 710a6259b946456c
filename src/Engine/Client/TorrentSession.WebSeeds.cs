using System.Buffers;
using System.Net.Http.Headers;
using GitTorrent.Engine.Torrents.Picking;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Client;

/// <summary>BEP 19 web seeds: HTTP range requests for runs of blocks, fed through the same picker and verification.</summary>
internal sealed partial class TorrentSession
{
    /// <summary>Blocks asked for in one HTTP request (1 MiB).</summary>
    private const int WebSeedBlocksPerRequest = 64;

    /// <summary>Consecutive HTTP failures (or bad pieces) after which a web seed is given up.</summary>
    private const int WebSeedMaxFailures = 5;

    private void StartWebSeeds()
    {
        var metainfo = Metainfo;
        if (metainfo is null || IsSeeding || metainfo.UrlList.Count == 0)
        {
            return;
        }
        foreach (var url in metainfo.UrlList)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                var seed = new WebSeed(WebSeed.ForFile(url, metainfo.Name));
                lock (_gate)
                {
                    _background.Add(Task.Run(() => RunWebSeedAsync(seed, _stop.Token)));
                }
            }
        }
    }

    private async Task RunWebSeedAsync(WebSeed seed, CancellationToken cancellationToken)
    {
        var metainfo = Metainfo!;
        var all = new Bitfield(metainfo.PieceCount);
        all.SetAll();
        var picked = new List<BlockRequest>();
        while (!cancellationToken.IsCancellationRequested && seed.Failures < WebSeedMaxFailures && seed.BadPieces < _engine.Options.StrikesBeforeBan)
        {
            picked.Clear();
            lock (_gate)
            {
                if (_picking is null || _picking.IsComplete)
                {
                    return;
                }
                _picking.Picker.Pick(seed, all, seed.Outstanding, WebSeedBlocksPerRequest, picked, sequential: true);
            }
            if (picked.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), _engine.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            picked.Sort((a, b) => a.Piece != b.Piece ? a.Piece.CompareTo(b.Piece) : a.Begin.CompareTo(b.Begin));
            try
            {
                var start = 0;
                for (var i = 1; i <= picked.Count; i++)
                {
                    if (i == picked.Count || Offset(picked[i]) != Offset(picked[i - 1]) + picked[i - 1].Length)
                    {
                        await FetchRunAsync(seed, picked.GetRange(start, i - start), cancellationToken).ConfigureAwait(false);
                        start = i;
                    }
                }
                seed.Failures = 0;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or ProtocolViolationException
                && !cancellationToken.IsCancellationRequested)
            {
                seed.Failures++;
                ClientLog.DiscoveryFailed(_logger, InfoHash, $"web seed {seed}: {e.Message}");
                lock (_gate)
                {
                    foreach (var request in seed.Outstanding)
                    {
                        _picking?.Picker.OnRequestDropped(request);
                    }
                    seed.Outstanding.Clear();
                }
                await Task.Delay(TimeSpan.FromSeconds(2), _engine.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        lock (_gate)
        {
            foreach (var request in seed.Outstanding)
            {
                _picking?.Picker.OnRequestDropped(request);
            }
            seed.Outstanding.Clear();
            _picking?.Picker.ReleaseOwner(seed);
        }
    }

    private long Offset(BlockRequest request) => ((long)request.Piece * Metainfo!.PieceLength) + request.Begin;

    private async Task FetchRunAsync(WebSeed seed, List<BlockRequest> run, CancellationToken cancellationToken)
    {
        var first = Offset(run[0]);
        var length = run.Sum(r => r.Length);
        using var message = new HttpRequestMessage(HttpMethod.Get, seed.Uri);
        message.Headers.Range = new RangeHeaderValue(first, first + length - 1);
        using var response = await _engine.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        if (response.StatusCode != System.Net.HttpStatusCode.PartialContent && first != 0)
        {
            throw new ProtocolViolationException("Web seed ignored the Range header.");
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(WireLimits.BlockSize);
        try
        {
            foreach (var request in run)
            {
                await body.ReadExactlyAsync(buffer.AsMemory(0, request.Length), cancellationToken).ConfigureAwait(false);
                PartialPiece? completed;
                lock (_gate)
                {
                    if (_picking is null)
                    {
                        return;
                    }
                    Interlocked.Add(ref _downloaded, request.Length);
                    _picking.Picker.OnBlock(seed, seed.Outstanding, request.Piece, request.Begin,
                        new ReadOnlySequence<byte>(buffer, 0, request.Length), out completed);
                }
                if (completed is not null)
                {
                    await VerifyAndStoreAsync(completed).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
