using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Lookups;
using GitTorrent.Engine.Dht.Routing;
using GitTorrent.Engine.Dht.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// A mainline DHT node (BEP 5) with BEP 44 storage, BEP 42 node ids and a persisted routing table.
/// One UDP socket; one loop owns all state (routing table, transactions, storage, lookups) and is fed
/// through a channel by the receive loop, a timer and the public API, so nothing here takes a lock.
/// </summary>
public sealed partial class DhtNode : IPeerDiscovery, IAsyncDisposable, ILookupHost
{
    /// <summary>Client version sent in "v" (BEP 5): "GT" and a 2-byte version.</summary>
    private static readonly byte[] ClientVersion = [(byte)'G', (byte)'T', 0, 1];

    /// <summary>How often the loop checks timeouts and runs maintenance.</summary>
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    private readonly DhtOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private RoutingTable _table;
    private readonly TransactionTable _transactions;
    private readonly TokenManager _tokens;
    private readonly ItemStore _items;
    private readonly PeerStore _peers;
    private readonly SourceTable _sources;
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(KrpcMessage.MaxDatagramLength);

    /// <summary>
    /// Receive buffers, rented by the receive loop and returned by the node loop. A pool of our own sized to
    /// the receive queue: the shared pool's per-core caches are too small for this producer/consumer
    /// pattern and would allocate a fresh 4 KiB array for most datagrams under load.
    /// </summary>
    private readonly ArrayPool<byte> _receiveBuffers;
    private readonly List<LookupOperation> _lookups = [];
    private readonly Queue<(LookupOperation Operation, Action Start)> _waitingLookups = new();
    private readonly List<PendingQuery> _expired = [];
    private readonly List<RoutingEntry> _toPing = [];
    private readonly long _timeoutMs;

    /// <summary>Our id as a bencode string, shared by every message body (strings are immutable).</summary>
    private BString _idValue;

    /// <summary>The whole answer to ping, built once per id and never changed.</summary>
    private BDictionary _pingResponse;
    private readonly string? _statePath;
    private readonly IReadOnlyList<DhtContact> _restored;
    private ITimer? _timer;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _mainLoop = Task.CompletedTask;
    private int _queuedDatagrams;
    private int _disposed;

    private long _queriesReceived;
    private long _responsesSent;
    private long _errorsSent;
    private long _queriesSent;
    private long _responsesReceived;
    private long _timeouts;
    private long _lookupsStarted;
    private long _malformed;
    private long _oversized; // counted by the receive loop, reported as malformed
    private long _rateLimited;
    private long _queueOverflows;
    private long _unexpectedReplies;
    private long _nodeIdsRejected;
    private long _verificationPings;
    private long _verificationPingsSkipped;
    private long _announcesRefusedPerAddress;
    private long _announcesRefusedFull;
    private long _putsRefusedPerAddress;
    private long _addressVotesIgnored;
    private long _responsesTrimmed;
    private volatile DhtStatistics _statistics = new();

    /// <summary>What malformed and oversized datagrams are logged as (dropped bad input, not a setting).</summary>
    private const string MalformedLimit = "Dht:malformed datagrams";

    /// <summary>Counts and logs the bounds that bite (each counter above that a bound feeds goes through it).</summary>
    private readonly LimitLog _limitLog;

    private DhtNode(DhtOptions options, ILoggerFactory? loggerFactory, Hash20 id, Socket socket, DhtStateFile? state)
    {
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DhtNode>();
        _time = options.TimeProvider;
        _limitLog = new LimitLog(_logger, _time);
        _socket = socket;
        Id = id;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _idValue = new BString(id.ToArray());
        _pingResponse = new BDictionary { ["id"] = _idValue };
        _timeoutMs = (long)options.QueryTimeout.TotalMilliseconds;
        _receiveBuffers = ArrayPool<byte>.Create(KrpcMessage.MaxDatagramLength, options.ReceiveQueueLength + 16);
        _table = new RoutingTable(id, options.BucketSize, NowMs,
            new NodeIdPolicy(options.EnforceNodeId, options.EnforceNodeIdOnLocalAddresses));
        _transactions = new TransactionTable(options.MaxPendingQueries);
        _tokens = new TokenManager(_time);
        _items = new ItemStore(options.MaxStoredItems, options.MaxStoredBytes, options.MaxItemsPerAddress);
        _peers = new PeerStore(options.MaxInfoHashes, options.MaxPeersPerInfoHash, options.MaxAnnouncesPerAddress,
            options.MaxPeersPerAddressPerInfoHash);
        _sources = new SourceTable(options.RateLimitMaxSources, options.RateLimitPerSecond, options.RateLimitBurst,
            options.UnverifiedAmplificationFactor, options.UnverifiedResponseAllowance, _limitLog);
        _statePath = options.StateDirectory is null ? null : Path.Combine(options.StateDirectory, DhtStateFile.FileName);
        _restored = state?.Nodes ?? [];
        ExternalAddress = state?.ExternalAddress ?? options.ExternalAddress;
        var now = NowMs;
        _lastSave = now;
        _lastRefreshCheck = now;
        _lastSweep = now;
    }

    /// <summary>
    /// This node's id. It changes once if other nodes agree on an external address the id does not fit
    /// (BEP 42, as libtorrent does), so nodes that enforce BEP 42 keep us in their routing tables.
    /// </summary>
    public Hash20 Id { get; private set; }

    /// <summary>The bound UDP endpoint.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Our address as other nodes report it (BEP 42 "ip"), or as configured.</summary>
    public IPAddress? ExternalAddress { get; private set; }

    /// <summary>Nodes in the routing table (updated by the node loop).</summary>
    public int RoutingTableSize => _statistics.RoutingTableSize;

    /// <summary>Counters, refreshed after every event the node handles.</summary>
    public DhtStatistics Statistics => _statistics;

    internal long NowMs => _time.GetTimestamp() / (_time.TimestampFrequency / 1000);

    long ILookupHost.NowMs => NowMs;

    AddressFamily ILookupHost.AddressFamily => _socket.AddressFamily;

    /// <summary>Binds the socket, restores the saved state and starts the node. Call <see cref="BootstrapAsync"/> next.</summary>
    public static Task<DhtNode> StartAsync(DhtOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        cancellationToken.ThrowIfCancellationRequested();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DhtNode>();
        DhtStateFile? state = null;
        if (options.StateDirectory is not null)
        {
            var path = Path.Combine(options.StateDirectory, DhtStateFile.FileName);
            try
            {
                state = DhtStateFile.Load(path);
            }
            catch (IOException e)
            {
                DhtLog.StateUnreadable(logger, path, e);
            }
        }
        var socket = new Socket(options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 4 << 20;
            socket.SendBufferSize = 1 << 20;
            socket.Bind(new IPEndPoint(options.BindAddress, options.Port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var external = state?.ExternalAddress ?? options.ExternalAddress;
        var id = options.NodeId ?? ChooseId(state, external);
        var node = new DhtNode(options, loggerFactory, id, socket, state);
        node.Run(state);
        return Task.FromResult(node);
    }

    private static Hash20 ChooseId(DhtStateFile? state, IPAddress? external)
    {
        if (external is null || NodeIdGenerator.IsExempt(external))
        {
            return state?.Id ?? Hash20.Random();
        }
        return state is not null && NodeIdGenerator.IsValid(state.Id, external) ? state.Id : NodeIdGenerator.Generate(external);
    }

    private void Run(DhtStateFile? state)
    {
        _mainLoop = Task.Run(MainLoopAsync);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _timer = _time.CreateTimer(_ => TryPost(Tick), null, TickInterval, TickInterval);
        DhtLog.Listening(_logger, Id, LocalEndPoint);
        if (state is not null && state.Nodes.Count > 0)
        {
            DhtLog.Restored(_logger, state.Nodes.Count, _statePath!);
            Post(() =>
            {
                foreach (var contact in state.Nodes)
                {
                    Ping(contact.EndPoint, contact.Id, null);
                }
            });
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _stopping.Token;
        EndPoint any = new IPEndPoint(
            _socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!token.IsCancellationRequested)
        {
            var buffer = _receiveBuffers.Rent(KrpcMessage.MaxDatagramLength);
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                _receiveBuffers.Return(buffer);
                return;
            }
            catch (SocketException e)
            {
                _receiveBuffers.Return(buffer);
                if (e.SocketErrorCode == SocketError.MessageSize)
                {
                    _limitLog.Bit(ref _oversized, MalformedLimit);
                }
                else
                {
                    DhtLog.ReceiveError(_logger, e.SocketErrorCode.ToString());
                }
                continue;
            }
            if (received.ReceivedBytes >= buffer.Length)
            {
                // Filled the buffer: the datagram was at least this long and maybe cut. No KRPC message is.
                _limitLog.Bit(ref _oversized, MalformedLimit);
                _receiveBuffers.Return(buffer);
                continue;
            }
            if (Interlocked.Increment(ref _queuedDatagrams) > _options.ReceiveQueueLength
                || !_work.Writer.TryWrite(new Work(buffer, received.ReceivedBytes, (IPEndPoint)received.RemoteEndPoint, null)))
            {
                Interlocked.Decrement(ref _queuedDatagrams);
                _limitLog.Bit(ref _queueOverflows, "Dht:" + nameof(DhtOptions.ReceiveQueueLength));
                _receiveBuffers.Return(buffer);
            }
        }
    }

    private async Task MainLoopAsync()
    {
        var reader = _work.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var work))
            {
                try
                {
                    if (work.Command is not null)
                    {
                        work.Command();
                    }
                    else
                    {
                        Interlocked.Decrement(ref _queuedDatagrams);
                        HandleDatagram(work.Buffer.AsMemory(0, work.Length), work.From!);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    DhtLog.LoopFailed(_logger, e);
                }
                finally
                {
                    if (work.Buffer is not null)
                    {
                        _receiveBuffers.Return(work.Buffer);
                    }
                }
            }
            PublishStatistics();
        }
    }

    /// <summary>Runs <paramref name="command"/> on the node loop.</summary>
    private void Post(Action command)
    {
        if (!_work.Writer.TryWrite(new Work(null, 0, null, command)))
        {
            throw new ObjectDisposedException(nameof(DhtNode));
        }
    }

    /// <summary>Runs <paramref name="function"/> on the node loop and returns its result.</summary>
    private Task<T> Invoke<T>(Func<T> function)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                completion.TrySetResult(function());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        });
        return completion.Task;
    }

    private void HandleDatagram(ReadOnlyMemory<byte> datagram, IPEndPoint from)
    {
        var now = NowMs;
        var source = _sources.Get(from, now);
        if (!_sources.Allow(source, now))
        {
            _limitLog.Bit(ref _rateLimited, "Dht:" + nameof(DhtOptions.RateLimitPerSecond));
            return;
        }
        if (!KrpcMessage.TryDecode(datagram, out var message))
        {
            _limitLog.Bit(ref _malformed, MalformedLimit);
            return;
        }
        if (message.Type == KrpcMessageType.Query)
        {
            HandleQuery(message, from, source, datagram.Length, now);
        }
        else
        {
            HandleReply(message, from, source, now);
        }
    }

    /// <summary>
    /// An answer to a query of ours (the transaction id and the endpoint match): the only way into the
    /// routing table, since it shows the node receives at its address. Its "ip" is a vote for our address.
    /// </summary>
    private void HandleReply(KrpcMessage message, IPEndPoint from, SourceState source, long now)
    {
        if (!_transactions.TryComplete(message.TransactionId.Span, from, out var query))
        {
            _unexpectedReplies++;
            return;
        }
        _responsesReceived++;
        source.Verified = true;
        if (message.Type == KrpcMessageType.Error)
        {
            query.Observer?.OnError(query, message);
            return;
        }
        if (message.Body?.GetInteger("ro") != 1)
        {
            _toPing.Clear();
            if (_table.Observe(new DhtContact(message.SenderId, from), now, _toPing) == RoutingOutcome.Rejected)
            {
                _limitLog.Bit(ref _nodeIdsRejected, "Dht:" + nameof(DhtOptions.EnforceNodeId));
            }
            PingQuestionable();
        }
        if (message.ObservedAddress is { } observed)
        {
            VoteExternalAddress(observed.Address, from.Address);
        }
        query.Observer?.OnResponse(query, message);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            await Invoke(() =>
            {
                Shutdown();
                return true;
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // loop already gone
        }
        _work.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(_mainLoop, _receiveLoop).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private readonly record struct Work(byte[]? Buffer, int Length, IPEndPoint? From, Action? Command);
}
