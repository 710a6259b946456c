using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Torrents.Storage;

/// <summary>
/// The file behind one torrent. Reads (for uploads and re-checks) go straight to the handle; every write goes
/// through one writer task fed by a bounded channel, so memory held by verified-but-unwritten pieces is bounded
/// and the file has a single writer.
/// </summary>
public sealed class PieceStore : IAsyncDisposable
{
    /// <summary>Pieces that may wait for the writer before producers are held back.</summary>
    public const int WriteQueueCapacity = 8;

    private readonly TorrentMetainfo _metainfo;
    private readonly SafeFileHandle _handle;
    private readonly Channel<PendingWrite>? _writes;
    private readonly Task _writer = Task.CompletedTask;

    private PieceStore(TorrentMetainfo metainfo, SafeFileHandle handle, bool writable)
    {
        _metainfo = metainfo;
        _handle = handle;
        if (writable)
        {
            _writes = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(WriteQueueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _writer = Task.Run(WriteLoopAsync);
        }
    }

    public string Path { get; private init; } = "";

    /// <summary>Opens a complete file for seeding; its length must match the torrent.</summary>
    public static PieceStore OpenForSeeding(TorrentMetainfo metainfo, string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (RandomAccess.GetLength(handle) != metainfo.Length)
        {
            handle.Dispose();
            throw new GitTorrentException($"'{path}' is not {metainfo.Length} bytes long.");
        }
        return new PieceStore(metainfo, handle, writable: false) { Path = path };
    }

    /// <summary>Opens (or creates) the download target; existing bytes are kept for <see cref="CheckExistingAsync"/>.</summary>
    public static PieceStore OpenForDownload(TorrentMetainfo metainfo, string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        if (RandomAccess.GetLength(handle) > metainfo.Length)
        {
            RandomAccess.SetLength(handle, metainfo.Length);
        }
        return new PieceStore(metainfo, handle, writable: true) { Path = path };
    }

    /// <summary>Pieces the last <see cref="CheckExistingAsync"/> read and hashed.</summary>
    public int LastCheckHashedPieces { get; private set; }

    /// <summary>
    /// Re-checks only what is on disk: pieces lying wholly in data regions of the file (not beyond its end, not in
    /// holes never written) are hashed; the rest are missing. Returns the pieces that verified.
    /// </summary>
    public async Task<Bitfield> CheckExistingAsync(CancellationToken cancellationToken)
    {
        var have = new Bitfield(_metainfo.PieceCount);
        var fileLength = RandomAccess.GetLength(_handle);
        var ranges = SparseFile.DataRanges(_handle, fileLength);
        var buffer = ArrayPool<byte>.Shared.Rent(_metainfo.PieceLength);
        LastCheckHashedPieces = 0;
        try
        {
            for (var piece = 0; piece < _metainfo.PieceCount; piece++)
            {
                var offset = (long)piece * _metainfo.PieceLength;
                var size = _metainfo.GetPieceSize(piece);
                if (offset + size > fileLength)
                {
                    break;
                }
                if (!ranges.Exists(r => r.Start <= offset && offset + size <= r.End))
                {
                    continue;
                }
                LastCheckHashedPieces++;
                var read = await ReadAsync(piece, 0, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                if (read == size && Verify(piece, buffer.AsSpan(0, size)))
                {
                    have[piece] = true;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return have;
    }

    public bool Verify(int piece, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Hash20.Length];
        SHA1.HashData(data, digest);
        Span<byte> expected = stackalloc byte[Hash20.Length];
        _metainfo.GetPieceHash(piece).CopyTo(expected);
        return digest.SequenceEqual(expected);
    }

    /// <summary>Reads part of a piece; returns the bytes read.</summary>
    public async ValueTask<int> ReadAsync(int piece, int begin, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var offset = ((long)piece * _metainfo.PieceLength) + begin;
        var total = 0;
        while (total < destination.Length)
        {
            var n = await RandomAccess.ReadAsync(_handle, destination[total..], offset + total, cancellationToken)
                .ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Synchronous read for the upload path (page-cache hits dominate).</summary>
    public int Read(int piece, int begin, Span<byte> destination)
    {
        var offset = ((long)piece * _metainfo.PieceLength) + begin;
        var total = 0;
        while (total < destination.Length)
        {
            var n = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Queues a verified piece for the writer. The buffer must come from <see cref="ArrayPool{T}.Shared"/>; the
    /// writer returns it. <paramref name="written"/> runs on the writer task once the bytes are in the file.
    /// Waits while the queue is full.
    /// </summary>
    public ValueTask EnqueueWriteAsync(int piece, byte[] pooledBuffer, Action<int> written, CancellationToken cancellationToken)
    {
        var writes = _writes ?? throw new InvalidOperationException("This store is read-only.");
        return writes.Writer.WriteAsync(new PendingWrite(piece, pooledBuffer, written), cancellationToken);
    }

    /// <summary>Completes when the writer stops; faulted with the I/O error if a write failed (disk full ...).</summary>
    public Task WriterCompletion => _writer;

    private async Task WriteLoopAsync()
    {
        var reader = _writes!.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var write))
            {
                try
                {
                    var size = _metainfo.GetPieceSize(write.Piece);
                    RandomAccess.Write(_handle, write.Buffer.AsSpan(0, size), (long)write.Piece * _metainfo.PieceLength);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Refuse further writes and give back every queued buffer; the torrent fails with this error.
                    _writes.Writer.TryComplete(e);
                    while (reader.TryRead(out var dropped))
                    {
                        ArrayPool<byte>.Shared.Return(dropped.Buffer);
                    }
                    throw;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(write.Buffer);
                }
                write.Written(write.Piece);
            }
        }
    }

    /// <summary>
    /// Waits until every queued write is in the file (the page cache). No fsync: a download is proven by its piece
    /// hashes, not by the disk, so a torn file after a crash is re-checked (<see cref="CheckExistingAsync"/>) and the
    /// missing pieces fetched again; a pack's durable copy is the one <c>git index-pack</c> writes and syncs. Forcing
    /// 1 GiB to disk at the end cost 1-3 s of every download on this machine.
    /// </summary>
    public async Task CompleteWritesAsync()
    {
        if (_writes is not null && _writes.Writer.TryComplete())
        {
            await _writer.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes?.Writer.TryComplete();
        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // already reported through WriterCompletion
        }
        finally
        {
            _handle.Dispose();
        }
    }

    private readonly record struct PendingWrite(int Piece, byte[] Buffer, Action<int> Written);
}
