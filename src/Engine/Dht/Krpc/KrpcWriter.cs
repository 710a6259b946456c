using System.Buffers;
using System.Net;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>
/// Writes KRPC messages (BEP 5) with their top-level keys in the sorted order bencode requires.
/// Bodies are <see cref="BDictionary"/> values, which sort their own keys.
/// </summary>
public static class KrpcWriter
{
    public static void WriteQuery(IBufferWriter<byte> output, ReadOnlySpan<byte> transactionId, KrpcMethod method,
        BDictionary arguments, ReadOnlySpan<byte> version)
    {
        var w = new BencodeWriter(output);
        w.BeginDictionary();
        w.WriteString("a"u8);
        arguments.WriteTo(w);
        w.WriteString("q"u8);
        w.WriteString(KrpcMessage.MethodName(method));
        WriteEnvelopeEnd(w, transactionId, version, "q"u8);
    }

    /// <summary>A response; <paramref name="requester"/> is echoed as "ip" (BEP 42).</summary>
    public static void WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> transactionId, BDictionary body,
        IPEndPoint? requester, ReadOnlySpan<byte> version)
    {
        var w = new BencodeWriter(output);
        w.BeginDictionary();
        if (requester is not null)
        {
            Span<byte> ip = stackalloc byte[CompactEncoding.PeerV6Length];
            var n = CompactEncoding.WritePeer(requester, ip);
            w.WriteString("ip"u8);
            w.WriteString(ip[..n]);
        }
        w.WriteString("r"u8);
        body.WriteTo(w);
        WriteEnvelopeEnd(w, transactionId, version, "r"u8);
    }

    public static void WriteError(IBufferWriter<byte> output, ReadOnlySpan<byte> transactionId, int code, string message,
        ReadOnlySpan<byte> version)
    {
        var w = new BencodeWriter(output);
        w.BeginDictionary();
        w.WriteString("e"u8);
        w.BeginList();
        w.WriteInteger(code);
        w.WriteString(message);
        w.End();
        WriteEnvelopeEnd(w, transactionId, version, "e"u8);
    }

    /// <summary>
    /// The keys every KRPC message ends with, in bencode's sorted order: "t" (transaction id), "v" (client version,
    /// when we have one) and "y" (the message type), then closes the top-level dictionary.
    /// </summary>
    private static void WriteEnvelopeEnd(BencodeWriter w, ReadOnlySpan<byte> transactionId, ReadOnlySpan<byte> version,
        ReadOnlySpan<byte> type)
    {
        w.WriteString("t"u8);
        w.WriteString(transactionId);
        if (!version.IsEmpty)
        {
            w.WriteString("v"u8);
            w.WriteString(version);
        }
        w.WriteString("y"u8);
        w.WriteString(type);
        w.End();
    }
}
