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
        w.WriteString("t"u8);
        w.WriteString(transactionId);
        WriteVersion(w, version);
        w.WriteString("y"u8);
        w.WriteString("q"u8);
        w.End();
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
        w.WriteString("t"u8);
        w.WriteString(transactionId);
        WriteVersion(w, version);
        w.WriteString("y"u8);
        w.WriteString("r"u8);
        w.End();
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
        w.WriteString("t"u8);
        w.WriteString(transactionId);
        WriteVersion(w, version);
        w.WriteString("y"u8);
        w.WriteString("e"u8);
        w.End();
    }

    private static void WriteVersion(BencodeWriter w, ReadOnlySpan<byte> version)
    {
        if (version.IsEmpty)
        {
            return;
        }
        w.WriteString("v"u8);
        w.WriteString(version);
    }
}
