using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire;

/// <summary>
/// One TCP connection speaking the peer wire protocol. Framing uses System.IO.Pipelines; the receive side is
/// driven by its owner (a torrent session or a bare BEP 10 handler), the send side by one send loop that owns the
/// <see cref="PipeWriter"/> and drains a channel, so any thread may queue messages without locks.
/// </summary>
public sealed partial class PeerConnection : IAsyncDisposable
{
    /// <summary>Uploads queued per peer before further requests are ignored (we advertise it as <c>reqq</c>).</summary>
    public const int MaxQueuedUploads = 500;

    /// <summary>
    /// Bytes of other messages (bitfield, extension replies, ...) allowed to wait in the send queue; a peer that makes
    /// us queue more is not reading and is dropped.
    /// </summary>
    public const int MaxQueuedControlBytes = 4 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<BlockRequest, byte> _queuedUploadSet = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<BDictionary> _remoteExtensionHandshake =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _queuedUploads;
    private long _queuedControlBytes;
    private long _uploaded;
    private long _downloaded;
    private int _disposed;

    internal PeerConnection(Socket socket, bool isOutbound, TimeProvider timeProvider)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024));
        Writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        IsOutbound = isOutbound;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        TimeProvider = timeProvider;
        LastReceived = LastSent = LastExtendedReceived = timeProvider.GetTimestamp();
    }

    public IPEndPoint RemoteEndPoint { get; }

    public bool IsOutbound { get; }

    /// <summary>The info_hash of the handshake (a torrent, or for ut_gittorrent a commit id).</summary>
    public Hash20 InfoHash { get; internal set; }

    public Hash20 RemotePeerId { get; internal set; }

    /// <summary>The remote set the BEP 10 reserved bit.</summary>
    public bool RemoteSupportsExtensions { get; internal set; }

    /// <summary>Extension name to the id the remote wants in our messages (its BEP 10 <c>m</c> dict).</summary>
    public IReadOnlyDictionary<string, byte> RemoteExtensions { get; internal set; } = new Dictionary<string, byte>();

    /// <summary>The remote's BEP 10 handshake once it arrived (then <c>v</c>, <c>reqq</c>, <c>metadata_size</c> ...).</summary>
    public Task<BDictionary> RemoteExtensionHandshake => _remoteExtensionHandshake.Task;

    /// <summary>Client name from the remote's BEP 10 <c>v</c>.</summary>
    public string? RemoteClient { get; internal set; }

    /// <summary>Per-connection state for extensions (e.g. ut_gittorrent's pending request).</summary>
    public ConcurrentDictionary<string, object> Properties { get; } = new();

    /// <summary>Payload bytes of piece messages sent.</summary>
    public long Uploaded => Interlocked.Read(ref _uploaded);

    /// <summary>Payload bytes of piece messages received.</summary>
    public long Downloaded => Interlocked.Read(ref _downloaded);

    /// <summary>Cancelled when the connection closes.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    internal PipeReader Reader { get; }

    internal PipeWriter Writer { get; }

    internal TimeProvider TimeProvider { get; }

    internal long LastReceived { get; set; }

    internal long LastSent { get; set; }

    /// <summary>When the last extension message (BEP 10) arrived; a bare connection's idle clock.</summary>
    internal long LastExtendedReceived { get; set; }

    private int _work;

    /// <summary>
    /// An extension is working for the remote on this connection (building the pack it asked for): a bare connection is
    /// not idle meanwhile. Pair with <see cref="EndWork"/>.
    /// </summary>
    public void BeginWork() => Interlocked.Increment(ref _work);

    public void EndWork() => Interlocked.Decrement(ref _work);

    internal bool IsWorking => Volatile.Read(ref _work) > 0;

    /// <summary>Set by the owner; the send loop discards queued uploads while it is true (BEP 3).</summary>
    internal volatile bool AmChoking = true;

    internal Extensions.IMetadataHost? MetadataHost { get; set; }

    internal Extensions.IPexHost? PexHost { get; set; }

    /// <summary>Where the remote accepts connections: its address with the BEP 10 <c>p</c> port, or the dialled endpoint.</summary>
    internal IPEndPoint? RemoteListenEndPoint { get; set; }

    internal void AddDownloaded(int bytes) => Interlocked.Add(ref _downloaded, bytes);

    internal void SetRemoteExtensionHandshake(BDictionary handshake) => _remoteExtensionHandshake.TrySetResult(handshake);

    public static async Task<Socket> ConnectSocketAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes our handshake directly (before the send loop runs).</summary>
    internal async ValueTask SendHandshakeAsync(Handshake handshake, CancellationToken cancellationToken)
    {
        handshake.Encode(Writer.GetSpan(Handshake.Length));
        Writer.Advance(Handshake.Length);
        await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the remote handshake; null if the stream ended or is not BitTorrent.</summary>
    internal async ValueTask<Handshake?> ReceiveHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 1 && buffer.FirstSpan[0] != 19)
            {
                return null;
            }
            if (buffer.Length >= Handshake.Length)
            {
                Span<byte> bytes = stackalloc byte[Handshake.Length];
                buffer.Slice(0, Handshake.Length).CopyTo(bytes);
                Reader.AdvanceTo(buffer.GetPosition(Handshake.Length));
                if (!Handshake.TryDecode(bytes, out var handshake))
                {
                    return null;
                }
                RemotePeerId = handshake.PeerId;
                RemoteSupportsExtensions = handshake.SupportsExtensions;
                return handshake;
            }
            if (result.IsCompleted)
            {
                return null;
            }
            Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public void Close()
    {
        if (!_closed.IsCancellationRequested)
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            _outgoing.Writer.TryComplete();
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Close();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Reader.CompleteAsync().ConfigureAwait(false);
            await Writer.CompleteAsync(new ObjectDisposedException(nameof(PeerConnection))).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The socket is gone; unsent bytes are dropped on purpose.
        }
        _closed.Dispose();
    }

    public override string ToString() => RemoteEndPoint.ToString();
}
