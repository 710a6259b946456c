using Microsoft.Win32.SafeHandles;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Torrents.Storage;

/// <summary>
/// A download read in order while it arrives (a pack streamed into <c>git index-pack --stdin</c>): the bytes of the
/// file from its start up to the first piece not yet verified and written, read back from the file the download
/// writes. A read beyond that point waits for the piece; the end of the file ends the stream. A piece reaches the file
/// only after its SHA-1 matched, so nothing a lying peer sent is ever read. Read-only, forward-only, one reader.
/// </summary>
public sealed class VerifiedPrefixStream : Stream
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TorrentMetainfo? _metainfo;
    private string? _path;
    private bool[]? _written;
    private int _prefixPieces;
    private long _readable;
    private bool _admitted;
    private Exception? _failure;
    private SafeFileHandle? _handle;
    private long _position;

    /// <summary>Bytes of the file verified from its start (what may be read so far).</summary>
    public long VerifiedPrefixBytes
    {
        get
        {
            lock (_gate)
            {
                return _readable;
            }
        }
    }

    /// <summary>The download knows its metainfo and file; <paramref name="have"/>: pieces already verified on disk.</summary>
    internal void Attach(TorrentMetainfo metainfo, string path, Bitfield have)
    {
        lock (_gate)
        {
            _metainfo = metainfo;
            _path = path;
            _written = new bool[metainfo.PieceCount];
            for (var i = 0; i < metainfo.PieceCount; i++)
            {
                _written[i] = have[i];
            }
            AdvanceLocked();
        }
    }

    /// <summary>
    /// Lets reads start (the caller accepted the file's size): until then a reader waits, whatever has arrived.
    /// </summary>
    public void Admit()
    {
        lock (_gate)
        {
            _admitted = true;
            WakeLocked();
        }
    }

    /// <summary>A verified piece is in the file.</summary>
    internal void PieceWritten(int piece)
    {
        lock (_gate)
        {
            if (_written is null || (uint)piece >= (uint)_written.Length || _written[piece])
            {
                return;
            }
            _written[piece] = true;
            AdvanceLocked();
        }
    }

    /// <summary>The download ended before the file was complete: a waiting or later read throws.</summary>
    public void Fail(Exception reason)
    {
        lock (_gate)
        {
            if (_readable < (_metainfo?.Length ?? long.MaxValue))
            {
                _failure ??= reason;
                WakeLocked();
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            Task changed;
            long available;
            lock (_gate)
            {
                if (_failure is not null)
                {
                    throw new GitTorrentException("The download stopped before the file was complete: " + _failure.Message, _failure);
                }
                changed = _changed.Task;
                available = _admitted && _metainfo is not null ? _readable - _position : 0;
                if (_admitted && _metainfo is not null && _position >= _metainfo.Length)
                {
                    return 0;
                }
            }
            if (available > 0)
            {
                _handle ??= File.OpenHandle(_path!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var n = await RandomAccess.ReadAsync(_handle, buffer[..(int)Math.Min(buffer.Length, available)], _position,
                    cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new GitTorrentException($"'{_path}' is shorter than its verified pieces.");
                }
                _position += n;
                return n;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle?.Dispose();
        }
        base.Dispose(disposing);
    }

    private void AdvanceLocked()
    {
        var before = _prefixPieces;
        while (_prefixPieces < _written!.Length && _written[_prefixPieces])
        {
            _prefixPieces++;
        }
        if (_prefixPieces != before || _readable == 0)
        {
            _readable = Math.Min((long)_prefixPieces * _metainfo!.PieceLength, _metainfo.Length);
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
