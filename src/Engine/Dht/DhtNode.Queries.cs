using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Dht.Krpc;
using GitTorrent.Engine.Dht.Storage;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Answers to incoming queries: BEP 5 (ping, find_node, get_peers, announce_peer), BEP 44 (get, put) and GitTorrent's
/// <c>sample_items</c>.
/// </summary>
public sealed partial class DhtNode
{
    /// <summary>Targets in one <c>sample_items</c> answer (20 bytes each: the datagram stays well under 1500 bytes).</summary>
    public const int MaxSamplesPerAnswer = 50;

    /// <summary>The <c>interval</c> of a <c>sample_items</c> answer that could not hold every target: ask again after it.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMinutes(1);

    /// <summary>The <c>interval</c> of an answer that held every target: nothing new is likely sooner.</summary>
    public static readonly TimeSpan SampleIntervalWhenComplete = TimeSpan.FromMinutes(10);

    /// <summary>Peers returned in one get_peers answer; keeps the datagram well under 1500 bytes.</summary>
    private const int MaxPeersPerResponse = 50;

    /// <summary>Pings to check one source's address are at least this far apart.</summary>
    private const long VerificationBackoffMs = 60_000;

    private int _verificationsInFlight;

    private void HandleQuery(KrpcMessage query, IPEndPoint from, SourceState source, int length, long now)
    {
        _queriesReceived++;
        // BEP 43: read-only nodes do not go into routing tables (and do not answer pings).
        if (query.Body!.GetInteger("ro") != 1 && !_table.Touch(query.SenderId, from, now)
            && (!source.Verified || _table.Policy.Accepts(query.SenderId, from.Address)))
        {
            Verify(from, source, now);
        }
        var body = query.Method switch
        {
            KrpcMethod.Ping => _pingResponse,
            KrpcMethod.FindNode => OnFindNode(query, from),
            KrpcMethod.GetPeers => OnGetPeers(query, from, now),
            KrpcMethod.AnnouncePeer => OnAnnouncePeer(query, from, now),
            KrpcMethod.Get => OnGet(query, from, now),
            KrpcMethod.Put => OnPut(query, from, now),
            KrpcMethod.SampleItems => OnSampleItems(query, from, now),
            _ => Refuse(query, from, KrpcErrorCode.MethodUnknown, "Method Unknown"),
        };
        if (body is not null)
        {
            SendResponse(query.TransactionId, body, from, source, _sources.ResponseBudget(source, length, now));
        }
    }

    /// <summary>
    /// Pings a node that queried us and is not in the routing table: if it answers, its address is real and
    /// it enters the table (<see cref="HandleReply"/>), and answers to it are no longer bounded by the
    /// anti-amplification credit. At most one ping per source per <see cref="VerificationBackoffMs"/> and
    /// <see cref="DhtOptions.MaxVerificationPings"/> in flight, so forged sources cannot turn us into a pinger.
    /// </summary>
    private void Verify(IPEndPoint from, SourceState source, long now)
    {
        if (source.VerificationPingedAt is { } last && now - last < VerificationBackoffMs)
        {
            return;
        }
        if (_verificationsInFlight >= _options.MaxVerificationPings)
        {
            _limitLog.Bit(ref _verificationPingsSkipped, "Dht:" + nameof(DhtOptions.MaxVerificationPings));
            return;
        }
        source.VerificationPingedAt = now;
        var sent = SendQuery(KrpcMethod.Ping, IdOnly(), null, from,
            new CallbackObserver((_, _) => _verificationsInFlight--), null);
        if (sent)
        {
            _verificationsInFlight++;
            _verificationPings++;
        }
    }

    /// <summary>A fresh body holding our id (callers add to it).</summary>
    private BDictionary IdOnly() => new() { ["id"] = _idValue };

    /// <summary>Answers with a KRPC error; returns null (no response body) for the handlers' convenience.</summary>
    private BDictionary? Refuse(KrpcMessage query, IPEndPoint from, int code, string reason)
    {
        DhtLog.Refused(_logger, query.Method.ToString(), from, code, reason);
        SendError(query.TransactionId, code, reason, from);
        return null;
    }

    /// <summary>Adds the K closest nodes we know: "nodes" on an IPv4 socket, "nodes6" on an IPv6 one (BEP 32).</summary>
    private void AddClosestNodes(BDictionary body, Hash20 target)
    {
        var family = _socket.AddressFamily;
        body[family == AddressFamily.InterNetworkV6 ? "nodes6" : "nodes"] =
            CompactEncoding.EncodeNodes(_table.FindClosest(target, _options.BucketSize), family);
    }

    private BDictionary? OnFindNode(KrpcMessage query, IPEndPoint from)
    {
        if (!query.TryGetHash("target", out var target))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "find_node needs a 20-byte target");
        }
        var body = IdOnly();
        AddClosestNodes(body, target);
        return body;
    }

    private BDictionary? OnGetPeers(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!query.TryGetHash("info_hash", out var infoHash))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "get_peers needs a 20-byte info_hash");
        }
        var body = IdOnly();
        body["token"] = _tokens.Issue(from.Address);
        AddClosestNodes(body, infoHash);
        var peers = _peers.Get(infoHash, MaxPeersPerResponse, now);
        if (OwnPeer(infoHash, from.Address, now) is { } own)
        {
            peers.Insert(0, own);
            if (peers.Count > MaxPeersPerResponse)
            {
                peers.RemoveAt(peers.Count - 1);
            }
        }
        if (peers.Count > 0)
        {
            body["values"] = new BList(peers.Select(p => (BValue)CompactEncoding.EncodePeer(p)));
        }
        return body;
    }

    private BDictionary? OnAnnouncePeer(KrpcMessage query, IPEndPoint from, long now)
    {
        var args = query.Body!;
        if (!query.TryGetHash("info_hash", out var infoHash) || args.Get<BString>("token") is not { } token)
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "announce_peer needs info_hash and token");
        }
        if (!_tokens.Check(token.Span, from.Address))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "bad token");
        }
        // BEP 5 implied_port: use the UDP source port (the peer is behind a NAT or uses uTP).
        var port = args.GetInteger("implied_port") is { } implied && implied != 0 ? from.Port : args.GetInteger("port");
        if (port is not (> 0 and <= 65535))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "announce_peer needs a port");
        }
        switch (_peers.Add(infoHash, new IPEndPoint(from.Address, (int)port), SourceKey.Of(from), now))
        {
            case StoreOutcome.AddressLimit:
                _limitLog.Bit(ref _announcesRefusedPerAddress, "Dht:" + nameof(DhtOptions.MaxAnnouncesPerAddress));
                return Refuse(query, from, KrpcErrorCode.Server, "Too many announces from this address");
            case StoreOutcome.Full:
                _limitLog.Bit(ref _announcesRefusedFull, "Dht:" + nameof(DhtOptions.MaxInfoHashes));
                return Refuse(query, from, KrpcErrorCode.Server, "Peer store full");
            default:
                return IdOnly();
        }
    }

    private BDictionary? OnGet(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!query.TryGetHash("target", out var target))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "get needs a 20-byte target");
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
        return body;
    }

    /// <summary>
    /// <c>sample_items</c> (our extension, shaped like BEP 51's <c>sample_infohashes</c>): up to
    /// <see cref="MaxSamplesPerAnswer"/> targets of stored mutable items without salt, chosen at random (reservoir
    /// sampling: one pass, no copy of the store), their number, an interval, and the closest nodes to the target.
    /// </summary>
    private BDictionary? OnSampleItems(KrpcMessage query, IPEndPoint from, long now)
    {
        if (!query.TryGetHash("target", out var target))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "sample_items needs a 20-byte target");
        }
        var chosen = new Hash20[MaxSamplesPerAnswer];
        var count = 0L;
        foreach (var item in _items.Items(now))
        {
            if (!item.IsMutable || item.Salt is { Length: > 0 })
            {
                continue;
            }
            count++;
            if (count <= MaxSamplesPerAnswer)
            {
                chosen[count - 1] = item.Target;
            }
            else if (Random.Shared.NextInt64(count) is var slot && slot < MaxSamplesPerAnswer)
            {
                chosen[slot] = item.Target;
            }
        }
        var taken = (int)Math.Min(count, MaxSamplesPerAnswer);
        var samples = new byte[taken * Hash20.Length];
        for (var i = 0; i < taken; i++)
        {
            chosen[i].CopyTo(samples.AsSpan(i * Hash20.Length, Hash20.Length));
        }
        var body = IdOnly();
        AddClosestNodes(body, target);
        body["interval"] = (long)(count > taken ? SampleInterval : SampleIntervalWhenComplete).TotalSeconds;
        body["num"] = count;
        body["samples"] = samples;
        return body;
    }

    private BDictionary? OnPut(KrpcMessage query, IPEndPoint from, long now)
    {
        var args = query.Body!;
        if (args["v"] is not { } v || args.Get<BString>("token") is not { } token)
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "put needs v and token");
        }
        if (v.Raw.Length > Bep44.MaxValueLength)
        {
            return Refuse(query, from, KrpcErrorCode.MessageTooBig, "Message (v field) too big");
        }
        var salt = args.Get<BString>("salt");
        if (salt is not null && salt.Length > Bep44.MaxSaltLength)
        {
            return Refuse(query, from, KrpcErrorCode.SaltTooBig, "Salt (salt field) too big");
        }
        if (!_tokens.Check(token.Span, from.Address))
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "bad token");
        }
        var key = args.Get<BString>("k");
        if (key is null)
        {
            var target = Bep44.ImmutableTarget(v.Raw.Span);
            if (_items.Get(target, now) is { } known)
            {
                known.StoredAt = now; // the same bytes again (the target is their hash): a new lifetime
                return IdOnly();
            }
            return Store(query, from, new StoredItem(target, v.Raw.ToArray(), null, null, 0, null, now) { Source = SourceKey.Of(from) });
        }
        if (key.Length != Bep44.PublicKeyLength || args.Get<BString>("sig") is not { Length: Bep44.SignatureLength } sig
            || args.GetInteger("seq") is not { } seq || seq < 0)
        {
            return Refuse(query, from, KrpcErrorCode.Protocol, "mutable put needs a 32-byte k, a 64-byte sig and a seq");
        }
        var saltBytes = salt is null ? default : salt.Span;
        var mutableTarget = Bep44.MutableTarget(key.Span, saltBytes);
        var stored = _items.Get(mutableTarget, now);
        if (stored is not null && args.GetInteger("cas") is { } cas && cas != stored.Sequence)
        {
            return Refuse(query, from, KrpcErrorCode.CasMismatch, "CAS mismatched, re-read value and try again");
        }
        if (stored is not null && seq < stored.Sequence)
        {
            return Refuse(query, from, KrpcErrorCode.SequenceTooLow, "Sequence number less than current");
        }
        if (stored is not null && seq == stored.Sequence && !stored.Value.AsSpan().SequenceEqual(v.Raw.Span))
        {
            return Refuse(query, from, KrpcErrorCode.SequenceTooLow, "Sequence number not greater than current");
        }
        if (!Bep44.VerifyMutable(key.Span, saltBytes, seq, v.Raw.Span, sig.Span))
        {
            return Refuse(query, from, KrpcErrorCode.InvalidSignature, "Invalid signature");
        }
        if (stored is not null && seq == stored.Sequence)
        {
            stored.StoredAt = now; // BEP 44: the same item again only resets its timeout
            return IdOnly();
        }
        return Store(query, from, new StoredItem(mutableTarget, v.Raw.ToArray(), key.Span.ToArray(),
            salt?.Span.ToArray() ?? [], seq, sig.Span.ToArray(), now) { Source = SourceKey.Of(from) });
    }

    /// <summary>Stores a validated put, unless its address holds its share of the item store.</summary>
    private BDictionary? Store(KrpcMessage query, IPEndPoint from, StoredItem item)
    {
        if (_items.Put(item) == StoreOutcome.AddressLimit)
        {
            _limitLog.Bit(ref _putsRefusedPerAddress, "Dht:" + nameof(DhtOptions.MaxItemsPerAddress));
            return Refuse(query, from, KrpcErrorCode.Server, "Too many items from this address");
        }
        return IdOnly();
    }
}
