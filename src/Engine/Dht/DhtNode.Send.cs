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

    /// <summary>
    /// What an answer drops, in this order, to fit the anti-amplification bound of an unverified source:
    /// the BEP 44 item, then the peers, then the nodes. Id, token and "ip" always stay.
    /// </summary>
    private static readonly string[][] TrimOrder = [["v", "k", "sig", "seq"], ["values"], ["nodes", "nodes6"]];

    /// <summary>Sends an answer of at most <paramref name="budget"/> bytes (beyond it, parts are dropped).</summary>
    private void SendResponse(ReadOnlyMemory<byte> transactionId, BDictionary body, IPEndPoint to, SourceState source,
        int budget)
    {
        WriteResponse(transactionId, body, to);
        if (_sendBuffer.WrittenCount > budget)
        {
            _limitLog.Bit(ref _responsesTrimmed, "Dht:" + nameof(DhtOptions.UnverifiedAmplificationFactor));
            foreach (var keys in TrimOrder)
            {
                var removed = false;
                foreach (var key in keys)
                {
                    removed |= body.Remove(key);
                }
                if (removed)
                {
                    WriteResponse(transactionId, body, to);
                    if (_sendBuffer.WrittenCount <= budget)
                    {
                        break;
                    }
                }
            }
        }
        SourceTable.Spend(source, _sendBuffer.WrittenCount);
        _responsesSent++;
        SendDatagram(_sendBuffer.WrittenSpan, to);
    }

    private void WriteResponse(ReadOnlyMemory<byte> transactionId, BDictionary body, IPEndPoint to)
    {
        _sendBuffer.ResetWrittenCount();
        KrpcWriter.WriteResponse(_sendBuffer, transactionId.Span, body, to, ClientVersion);
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
            MalformedDropped = Interlocked.Read(ref _malformed) + Interlocked.Read(ref _oversized),
            RateLimited = Interlocked.Read(ref _rateLimited),
            QueueOverflows = Interlocked.Read(ref _queueOverflows),
            UnexpectedReplies = _unexpectedReplies,
            NodeIdsRejected = _nodeIdsRejected,
            VerificationPings = _verificationPings,
            VerificationPingsSkipped = _verificationPingsSkipped,
            AnnouncesRefusedPerAddress = _announcesRefusedPerAddress,
            AnnouncesRefusedFull = _announcesRefusedFull,
            PutsRefusedPerAddress = _putsRefusedPerAddress,
            AddressVotesIgnored = _addressVotesIgnored,
            SourcesEvicted = _sources.Evicted,
            ResponsesTrimmed = _responsesTrimmed,
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
