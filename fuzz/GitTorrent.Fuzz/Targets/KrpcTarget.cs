using System.Buffers;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Dht;
using GitTorrent.Engine.Dht.Krpc;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// <see cref="KrpcMessage.TryDecode"/> on one datagram, then the readers every handler uses on its body (20-byte ids,
/// compact nodes and peers). Bad input is a false TryDecode. A message that decodes must re-encode through
/// <see cref="KrpcWriter"/> to a datagram that decodes to the same type, transaction, method and sender.
/// </summary>
public static class KrpcTarget
{
    private static readonly string[] HashKeys = ["target", "info_hash"];

    public static void Run(byte[] input)
    {
        if (!KrpcMessage.TryDecode(input, out var message))
        {
            return;
        }
        FuzzInvariantException.Check(message.TransactionId.Length <= KrpcMessage.MaxTransactionIdLength, "transaction id over its limit");
        foreach (var key in HashKeys)
        {
            message.TryGetHash(key, out _);
        }
        if (message.Body is { } body)
        {
            var contacts = new List<DhtContact>();
            if (body.GetString("nodes") is { } nodes)
            {
                CompactEncoding.TryDecodeNodes(nodes.Span, AddressFamily.InterNetwork, contacts);
            }
            if (body.GetString("nodes6") is { } nodes6)
            {
                CompactEncoding.TryDecodeNodes(nodes6.Span, AddressFamily.InterNetworkV6, contacts);
            }
            foreach (var value in (IEnumerable<BValue>?)body.GetList("values") ?? [])
            {
                if (value is BString peer)
                {
                    CompactEncoding.TryReadPeer(peer.Span, out _);
                }
            }
        }
        var output = new ArrayBufferWriter<byte>();
        switch (message.Type)
        {
            case KrpcMessageType.Query when message.Method != KrpcMethod.Unknown:
                KrpcWriter.WriteQuery(output, message.TransactionId.Span, message.Method, message.Body!, message.Version.Span);
                break;
            case KrpcMessageType.Response:
                KrpcWriter.WriteResponse(output, message.TransactionId.Span, message.Body!, message.ObservedAddress, message.Version.Span);
                break;
            default:
                return;
        }
        FuzzInvariantException.Check(KrpcMessage.TryDecode(output.WrittenMemory, out var again), "a re-encoded message does not decode");
        FuzzInvariantException.Check(again.Type == message.Type && again.Method == message.Method
            && again.SenderId == message.SenderId && again.TransactionId.Span.SequenceEqual(message.TransactionId.Span)
            && Equals(again.ObservedAddress, message.ObservedAddress),
            "a re-encoded message decodes to another message");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var id = new BString(Hash20.Sha1("node"u8).ToArray());
        var target = Hash20.Sha1("target"u8).ToArray();
        var requester = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 6881);
        var node = new DhtContact(Hash20.Sha1("other"u8), new IPEndPoint(IPAddress.Parse("127.0.0.3"), 6882));
        byte[] Query(KrpcMethod method, BDictionary arguments)
        {
            var output = new ArrayBufferWriter<byte>();
            KrpcWriter.WriteQuery(output, "aa"u8, method, arguments, "GT\0\u0001"u8);
            return output.WrittenSpan.ToArray();
        }
        byte[] Response(BDictionary body)
        {
            var output = new ArrayBufferWriter<byte>();
            KrpcWriter.WriteResponse(output, "aa"u8, body, requester, "GT\0\u0001"u8);
            return output.WrittenSpan.ToArray();
        }
        yield return Query(KrpcMethod.Ping, new BDictionary { { "id", id } });
        yield return Query(KrpcMethod.FindNode, new BDictionary { { "id", id }, { "target", target } });
        yield return Query(KrpcMethod.GetPeers, new BDictionary { { "id", id }, { "info_hash", target } });
        yield return Query(KrpcMethod.AnnouncePeer, new BDictionary
        {
            { "id", id }, { "implied_port", 1 }, { "info_hash", target }, { "port", 6881 }, { "token", "tokn"u8.ToArray() },
        });
        yield return Query(KrpcMethod.Get, new BDictionary { { "id", id }, { "seq", 3 }, { "target", target } });
        yield return Query(KrpcMethod.Put, new BDictionary
        {
            { "id", id }, { "k", new byte[32] }, { "salt", "s"u8.ToArray() }, { "seq", 4 }, { "sig", new byte[64] },
            { "token", "tokn"u8.ToArray() }, { "v", "5:hello"u8.ToArray() },
        });
        yield return Response(new BDictionary
        {
            { "id", id }, { "nodes", CompactEncoding.EncodeNodes([node], AddressFamily.InterNetwork) },
            { "token", "tokn"u8.ToArray() },
            { "values", new BList { CompactEncoding.EncodePeer(requester) } },
        });
        var error = new ArrayBufferWriter<byte>();
        KrpcWriter.WriteError(error, "aa"u8, KrpcErrorCode.Protocol, "bad token", default);
        yield return error.WrittenSpan.ToArray();
    }
}
