using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Storage;

namespace GitTorrent.Engine.Dht;

/// <summary>Answers to incoming queries: BEP 5 (ping, find_node, get_peers, announce_peer) and BEP 44 (get, put).</summary>
public sealed partial class DhtNode
{
    /// <summary>Peers returned in one get_peers answer; keeps the datagram well under 1500 bytes.</summary>
    private const int MaxPeersPerResponse = 50;

    private void HandleQuery(KrpcMessage query, IPEndPoint from, long now)
    {
        _queriesReceived++;
        // BEP 43: read-only nodes do not go into routing tables.
        if (query.Body!.GetInteger("ro") != 1)
        {
            _toPing.Clear();
            _table.Observe(new DhtContact(query.SenderId, from), now, _toPing);
            PingQuestionable();
        }
        switch (query.Method)
        {
            case KrpcMethod.Ping:
                SendResponse(query.TransactionId, _pingResponse, from);
                break;
            case KrpcMethod.FindNode:
                OnFindNode(query, from);
                break;
            case KrpcMethod.GetPeers:
                OnGetPeers(query, from, now);
                break;
            case KrpcMethod.AnnouncePeer:
                OnAnnouncePeer(query, from, now);
                break;
            case KrpcMethod.Get:
                OnGet(query, from, now);
                break;
            case KrpcMethod.Put:
                OnPut(query, from, now);
                break;
            default:
                Refuse(query, from, KrpcErrorCode.MethodUnknown, "Method Unknown");
                break;
        }
    }

    /// <summary>A fresh body holding our id (callers add to it).</summary>
    private BDictionary IdOnly() => new() { ["id"] = _idValue };

    private void Refuse(KrpcMessage query, IPEndPoint from, int code, string reason)
    {
        DhtLog.Refused(_logger, query.Method.ToString(), from, code, reason);
        SendError(query.TransactionId, code, reason, from);
    }

    /// <summary>Adds the K closest nodes we know: "nodes" on an IPv4 socket, "nodes6" on an IPv6 one (BEP 32).</summary>
    private void AddClosestNodes(BDictionary body, Hash20 target)
    {
        var family = _socket.AddressFamily;
        body[family == AddressFamily.InterNetworkV6 ? "nodes6" : "nodes"] =
            CompactEncoding.EncodeNodes(_table.FindClosest(target, _options.BucketSize), family);
    }

    private void OnFindNode(KrpcMessage query, IPEndPoint from)
    {
        if (!query.TryGetHash("target", out var target))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "find_node needs a 20-byte target");
            return;
        }
        var body = IdOnly();
        AddClosestNodes(body, target);
        SendResponse(query.TransactionId, body, from);
    }

    private void OnGetPeers(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!query.TryGetHash("info_hash", out var infoHash))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "get_peers needs a 20-byte info_hash");
            return;
        }
        var body = IdOnly();
        body["token"] = _tokens.Issue(from.Address);
        AddClosestNodes(body, infoHash);
        var peers = _peers.Get(infoHash, MaxPeersPerResponse, now);
        if (peers.Count > 0)
        {
            body["values"] = new BList(peers.Select(p => (BValue)CompactEncoding.EncodePeer(p)));
        }
        SendResponse(query.TransactionId, body, from);
    }

    private void OnAnnouncePeer(KrpcMessage query, IPEndPoint from, long now)
    {
        var args = query.Body!;
        if (!query.TryGetHash("info_hash", out var infoHash) || args.Get<BString>("token") is not { } token)
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "announce_peer needs info_hash and token");
            return;
        }
        if (!_tokens.Check(token.Span, from.Address))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "bad token");
            return;
        }
        // BEP 5 implied_port: use the UDP source port (the peer is behind a NAT or uses uTP).
        var port = args.GetInteger("implied_port") is { } implied && implied != 0 ? from.Port : args.GetInteger("port");
        if (port is not (> 0 and <= 65535))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "announce_peer needs a port");
            return;
        }
        _peers.Add(infoHash, new IPEndPoint(from.Address, (int)port), now);
        SendResponse(query.TransactionId, IdOnly(), from);
    }

    private void OnGet(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!query.TryGetHash("target", out var target))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "get needs a 20-byte target");
            return;
        }
        var body = IdOnly();
        body["token"] = _tokens.Issue(from.Address);
        AddClosestNodes(body, target);
        if (_items.Get(target, now) is { } item)
        {
            if (!item.IsMutable)
            {
                body["v"] = new RawValue(item.Value);
            }
            else
            {
                body["seq"] = item.Sequence;
                // BEP 44: if the requester already has this seq or newer, the value is not sent.
                if (query.Body!.GetInteger("seq") is not { } known || known < item.Sequence)
                {
                    body["k"] = item.PublicKey!;
                    body["sig"] = item.Signature!;
                    body["v"] = new RawValue(item.Value);
                }
            }
        }
        SendResponse(query.TransactionId, body, from);
    }

    private void OnPut(KrpcMessage query, IPEndPoint from, long now)
    {
        var args = query.Body!;
        if (args["v"] is not { } v || args.Get<BString>("token") is not { } token)
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "put needs v and token");
            return;
        }
        if (v.Raw.Length > Bep44.MaxValueLength)
        {
            Refuse(query, from, KrpcErrorCode.MessageTooBig, "Message (v field) too big");
            return;
        }
        var salt = args.Get<BString>("salt");
        if (salt is not null && salt.Length > Bep44.MaxSaltLength)
        {
            Refuse(query, from, KrpcErrorCode.SaltTooBig, "Salt (salt field) too big");
            return;
        }
        if (!_tokens.Check(token.Span, from.Address))
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "bad token");
            return;
        }
        var key = args.Get<BString>("k");
        if (key is null)
        {
            var target = Bep44.ImmutableTarget(v.Raw.Span);
            _items.Put(new StoredItem(target, v.Raw.ToArray(), null, null, 0, null, now));
            SendResponse(query.TransactionId, IdOnly(), from);
            return;
        }
        if (key.Length != Bep44.PublicKeyLength || args.Get<BString>("sig") is not { Length: Bep44.SignatureLength } sig
            || args.GetInteger("seq") is not { } seq || seq < 0)
        {
            Refuse(query, from, KrpcErrorCode.Protocol, "mutable put needs a 32-byte k, a 64-byte sig and a seq");
            return;
        }
        var saltBytes = salt is null ? default : salt.Span;
        var mutableTarget = Bep44.MutableTarget(key.Span, saltBytes);
        var stored = _items.Get(mutableTarget, now);
        if (stored is not null && args.GetInteger("cas") is { } cas && cas != stored.Sequence)
        {
            Refuse(query, from, KrpcErrorCode.CasMismatch, "CAS mismatched, re-read value and try again");
            return;
        }
        if (stored is not null && seq < stored.Sequence)
        {
            Refuse(query, from, KrpcErrorCode.SequenceTooLow, "Sequence number less than current");
            return;
        }
        if (stored is not null && seq == stored.Sequence && !stored.Value.AsSpan().SequenceEqual(v.Raw.Span))
        {
            Refuse(query, from, KrpcErrorCode.SequenceTooLow, "Sequence number not greater than current");
            return;
        }
        if (!Bep44.VerifyMutable(key.Span, saltBytes, seq, v.Raw.Span, sig.Span))
        {
            Refuse(query, from, KrpcErrorCode.InvalidSignature, "Invalid signature");
            return;
        }
        if (stored is not null && seq == stored.Sequence)
        {
            stored.StoredAt = now; // BEP 44: the same item again only resets its timeout
        }
        else
        {
            _items.Put(new StoredItem(mutableTarget, v.Raw.ToArray(), key.Span.ToArray(),
                salt?.Span.ToArray() ?? [], seq, sig.Span.ToArray(), now));
        }
        SendResponse(query.TransactionId, IdOnly(), from);
    }
}
