using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Lookups;

namespace GitTorrent.Engine.Dht;

/// <summary>Outgoing datagrams (queries, responses, errors) and the statistics snapshot.</summary>
public sealed partial class DhtNode
{
    bool ILookupHost.SendQuery(KrpcMethod method, BDictionary arguments, Hash20? nodeId, IPEndPoint endPoint,
        IQueryObserver observer, object? state) => SendQuery(method, arguments, nodeId, endPoint, observer, state);

    private bool SendQuery(KrpcMethod method, BDictionary arguments, Hash20? nodeId, IPEndPoint endPoint,
        IQueryObserver? observer, object? state)
    {
        if (_shuttingDown)
        {
            return false; // nothing would ever time it out
        }
        var now = NowMs;
        var query = new PendingQuery(method, nodeId, endPoint, observer, state) { SentAt = now, Deadline = now + _timeoutMs };
        if (!_transactions.TryAdd(query))
        {
            return false;
        }
        Span<byte> transactionId = stackalloc byte[TransactionTable.IdLength];
        TransactionTable.WriteId(query.TransactionId, transactionId);
        _sendBuffer.ResetWrittenCount();
        KrpcWriter.WriteQuery(_sendBuffer, transactionId, method, arguments, ClientVersion);
        _queriesSent++;
        SendDatagram(_sendBuffer.WrittenSpan, endPoint);
        return true;
    }

    private void SendResponse(ReadOnlyMemory<byte> transactionId, BDictionary body, IPEndPoint to)
    {
        _sendBuffer.ResetWrittenCount();
        KrpcWriter.WriteResponse(_sendBuffer, transactionId.Span, body, to, ClientVersion);
        _responsesSent++;
        SendDatagram(_sendBuffer.WrittenSpan, to);
    }

    private void SendError(ReadOnlyMemory<byte> transactionId, int code, string message, IPEndPoint to)
    {
        _sendBuffer.ResetWrittenCount();
        KrpcWriter.WriteError(_sendBuffer, transactionId.Span, code, message, ClientVersion);
        _errorsSent++;
        SendDatagram(_sendBuffer.WrittenSpan, to);
    }

    private void SendDatagram(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        if (to.AddressFamily != _socket.AddressFamily)
        {
            return;
        }
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            DhtLog.SendFailed(_logger, to, e.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            // shutting down
        }
    }

    private void PublishStatistics()
    {
        _statistics = new DhtStatistics
        {
            QueriesReceived = _queriesReceived,
            ResponsesSent = _responsesSent,
            ErrorsSent = _errorsSent,
            QueriesSent = _queriesSent,
            ResponsesReceived = _responsesReceived,
            Timeouts = _timeouts,
            LookupsStarted = _lookupsStarted,
            MalformedDropped = _malformed + Interlocked.Read(ref _oversized),
            RateLimited = _rateLimited,
            QueueOverflows = Interlocked.Read(ref _queueOverflows),
            UnexpectedReplies = _unexpectedReplies,
            RoutingTableSize = _table.Count,
            PendingQueries = _transactions.Count,
            ItemsStored = _items.Count,
            ItemBytesStored = _items.Bytes,
            PeersStored = _peers.PeerCount,
            InfoHashesStored = _peers.InfoHashCount,
            EstimatedDhtSize = _estimatedSize,
        };
    }
}
