using System.Net;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>
/// A decoded KRPC message (BEP 5). Strings are slices of the datagram: the message is valid only
/// while the receive buffer it was decoded from is not reused.
/// </summary>
public sealed class KrpcMessage
{
    /// <summary>Longest transaction id accepted; ours are 2 bytes, others use up to 4-8.</summary>
    public const int MaxTransactionIdLength = 16;

    /// <summary>Largest datagram decoded; BEP 44 items (1000-byte v) fit well below it.</summary>
    public const int MaxDatagramLength = 2048;

    private static readonly BencodeReadOptions ReadOptions = new() { MaxDepth = 16, RequireSortedKeys = false };

    private KrpcMessage()
    {
    }

    public KrpcMessageType Type { get; private init; }

    public ReadOnlyMemory<byte> TransactionId { get; private init; }

    /// <summary>For queries: the method; <see cref="KrpcMethod.Unknown"/> for names we do not know.</summary>
    public KrpcMethod Method { get; private init; }

    /// <summary>"a" of a query or "r" of a response; null for errors.</summary>
    public BDictionary? Body { get; private init; }

    /// <summary>The sender's node id ("id" in the body); default for errors.</summary>
    public Hash20 SenderId { get; private init; }

    public int ErrorCode { get; private init; }

    public string? ErrorMessage { get; private init; }

    /// <summary>BEP 42: the requester's address as the responder saw it ("ip").</summary>
    public IPEndPoint? ObservedAddress { get; private init; }

    /// <summary>Client version ("v"), possibly empty.</summary>
    public ReadOnlyMemory<byte> Version { get; private init; }

    /// <summary>
    /// Decodes one datagram. Returns false for anything that is not a well-formed KRPC message:
    /// bad bencode, missing or mistyped keys, or an id that is not 20 bytes.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> datagram, out KrpcMessage message)
    {
        message = null!;
        if (datagram.Length is 0 or > MaxDatagramLength || datagram.Span[0] != (byte)'d')
        {
            return false;
        }
        if (!BencodeReader.TryDecode(datagram, out var value, out _, ReadOptions) || value is not BDictionary root)
        {
            return false;
        }
        if (root.Get<BString>("t") is not { } t || t.Length > MaxTransactionIdLength
            || root.Get<BString>("y") is not { Length: 1 } y)
        {
            return false;
        }
        var version = root.Get<BString>("v")?.Bytes ?? default;
        IPEndPoint? observed = null;
        if (root.Get<BString>("ip") is { } ip && CompactEncoding.TryReadPeer(ip.Span, out var ipEndPoint))
        {
            observed = ipEndPoint;
        }
        switch (y.Span[0])
        {
            case (byte)'q':
            {
                if (root.Get<BString>("q") is not { } q || root.Get<BDictionary>("a") is not { } a
                    || !TryGetId(a, out var id))
                {
                    return false;
                }
                message = new KrpcMessage
                {
                    Type = KrpcMessageType.Query,
                    TransactionId = t.Bytes,
                    Method = ParseMethod(q.Span),
                    Body = a,
                    SenderId = id,
                    Version = version,
                    ObservedAddress = observed,
                };
                return true;
            }
            case (byte)'r':
            {
                if (root.Get<BDictionary>("r") is not { } r || !TryGetId(r, out var id))
                {
                    return false;
                }
                message = new KrpcMessage
                {
                    Type = KrpcMessageType.Response,
                    TransactionId = t.Bytes,
                    Body = r,
                    SenderId = id,
                    Version = version,
                    ObservedAddress = observed,
                };
                return true;
            }
            case (byte)'e':
            {
                if (root.Get<BList>("e") is not { Count: >= 1 } e || e[0] is not BInteger code)
                {
                    return false;
                }
                message = new KrpcMessage
                {
                    Type = KrpcMessageType.Error,
                    TransactionId = t.Bytes,
                    ErrorCode = (int)Math.Clamp(code.Value, int.MinValue, int.MaxValue),
                    ErrorMessage = e.Count > 1 && e[1] is BString text ? text.Text : null,
                    Version = version,
                    ObservedAddress = observed,
                };
                return true;
            }
            default:
                return false;
        }
    }

    public static KrpcMethod ParseMethod(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("ping"u8) => KrpcMethod.Ping,
        _ when name.SequenceEqual("find_node"u8) => KrpcMethod.FindNode,
        _ when name.SequenceEqual("get_peers"u8) => KrpcMethod.GetPeers,
        _ when name.SequenceEqual("announce_peer"u8) => KrpcMethod.AnnouncePeer,
        _ when name.SequenceEqual("get"u8) => KrpcMethod.Get,
        _ when name.SequenceEqual("put"u8) => KrpcMethod.Put,
        _ when name.SequenceEqual("sample_items"u8) => KrpcMethod.SampleItems,
        _ => KrpcMethod.Unknown,
    };

    public static string MethodName(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => "ping",
        KrpcMethod.FindNode => "find_node",
        KrpcMethod.GetPeers => "get_peers",
        KrpcMethod.AnnouncePeer => "announce_peer",
        KrpcMethod.Get => "get",
        KrpcMethod.Put => "put",
        KrpcMethod.SampleItems => "sample_items",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    /// <summary>A 20-byte string under <paramref name="key"/> in the body.</summary>
    public bool TryGetHash(string key, out Hash20 hash)
    {
        hash = default;
        if (Body?.Get<BString>(key) is not { Length: Hash20.Length } s)
        {
            return false;
        }
        hash = new Hash20(s.Span);
        return true;
    }

    private static bool TryGetId(BDictionary body, out Hash20 id)
    {
        id = default;
        if (body.Get<BString>("id") is not { Length: Hash20.Length } s)
        {
            return false;
        }
        id = new Hash20(s.Span);
        return true;
    }
}
