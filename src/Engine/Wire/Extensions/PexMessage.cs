using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GitTorrent.Engine.Bencoding;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>One peer of a ut_pex message: its listen endpoint and the BEP 11 flags byte (0x02 = seed).</summary>
public readonly record struct PexPeer(IPEndPoint EndPoint, byte Flags)
{
    /// <summary>BEP 11 flag: the peer is a seed (or upload only).</summary>
    public const byte SeedFlag = 0x02;

    /// <summary>BEP 11 flag: the sender reached the peer with an outgoing connection (it is connectable).</summary>
    public const byte ConnectableFlag = 0x10;
}

/// <summary>
/// A ut_pex message (BEP 11): a bencoded dict with <c>added</c> / <c>added.f</c> / <c>dropped</c> (compact IPv4,
/// 6 bytes a peer) and <c>added6</c> / <c>added6.f</c> / <c>dropped6</c> (compact IPv6, 18 bytes a peer).
/// </summary>
public sealed record PexMessage(IReadOnlyList<PexPeer> Added, IReadOnlyList<IPEndPoint> Dropped)
{
    /// <summary>Peers read from one message at most (added and dropped each); the rest are counted and ignored.</summary>
    public const int MaxPeersPerMessage = 200;

    /// <summary>
    /// Decodes a ut_pex payload. False when it is not a dictionary or a peer list is not a whole number of compact
    /// entries. Entries beyond <see cref="MaxPeersPerMessage"/> and entries with port 0 are skipped and counted in
    /// <paramref name="skipped"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out PexMessage message, out int skipped)
    {
        message = new PexMessage([], []);
        skipped = 0;
        if (!BencodeReader.TryDecode(payload, out var value, out _, BencodeReadOptions.Lenient) || value is not BDictionary dict)
        {
            return false;
        }
        var added = new List<PexPeer>();
        var dropped = new List<IPEndPoint>();
        static PexPeer Peer(IPEndPoint endPoint, byte flags) => new(endPoint, flags);
        static IPEndPoint EndPoint(IPEndPoint endPoint, byte flags) => endPoint;
        if (!ReadPeers(dict, "added", "added.f", 4, added, Peer, ref skipped)
            || !ReadPeers(dict, "added6", "added6.f", 16, added, Peer, ref skipped)
            || !ReadPeers(dict, "dropped", null, 4, dropped, EndPoint, ref skipped)
            || !ReadPeers(dict, "dropped6", null, 16, dropped, EndPoint, ref skipped))
        {
            return false;
        }
        message = new PexMessage(added, dropped);
        return true;
    }

    /// <summary>
    /// Reads one compact peer list (<paramref name="key"/>) into <paramref name="into"/>, with the flags of
    /// <paramref name="flagsKey"/> when given. Flags are advisory: a missing or wrong-sized list is read as all zero.
    /// </summary>
    private static bool ReadPeers<T>(BDictionary dict, string key, string? flagsKey, int addressLength, List<T> into,
        Func<IPEndPoint, byte, T> make, ref int skipped)
    {
        if (!dict.TryGetValue(key, out var value))
        {
            return true;
        }
        if (value is not BString list || list.Length % (addressLength + 2) != 0)
        {
            return false;
        }
        var count = list.Length / (addressLength + 2);
        var flags = flagsKey is not null && dict.GetString(flagsKey) is { } f && f.Length == count ? f.Bytes : default;
        var span = list.Span;
        for (var i = 0; i < count; i++)
        {
            var endPoint = ReadEndPoint(span.Slice(i * (addressLength + 2), addressLength + 2), addressLength);
            if (endPoint is null || into.Count >= MaxPeersPerMessage)
            {
                skipped++;
                continue;
            }
            into.Add(make(endPoint, flags.IsEmpty ? (byte)0 : flags.Span[i]));
        }
        return true;
    }

    private static IPEndPoint? ReadEndPoint(ReadOnlySpan<byte> entry, int addressLength)
    {
        var port = BinaryPrimitives.ReadUInt16BigEndian(entry[addressLength..]);
        return port == 0 ? null : new IPEndPoint(new IPAddress(entry[..addressLength]), port);
    }

    /// <summary>Encodes the message; IPv4-mapped IPv6 addresses go to the IPv4 lists.</summary>
    public byte[] Encode()
    {
        var added4 = new List<PexPeer>();
        var added6 = new List<PexPeer>();
        foreach (var peer in Added)
        {
            (Normalize(peer.EndPoint).AddressFamily == AddressFamily.InterNetwork ? added4 : added6)
                .Add(peer with { EndPoint = Normalize(peer.EndPoint) });
        }
        var dropped = Dropped.Select(Normalize).ToList();
        var dict = new BDictionary
        {
            { "added", Compact(added4.Select(p => p.EndPoint), 4) },
            { "added.f", added4.Select(p => p.Flags).ToArray() },
            { "dropped", Compact(dropped.Where(e => e.AddressFamily == AddressFamily.InterNetwork), 4) },
        };
        if (added6.Count > 0 || dropped.Any(e => e.AddressFamily == AddressFamily.InterNetworkV6))
        {
            dict.Add("added6", Compact(added6.Select(p => p.EndPoint), 16));
            dict.Add("added6.f", added6.Select(p => p.Flags).ToArray());
            dict.Add("dropped6", Compact(dropped.Where(e => e.AddressFamily == AddressFamily.InterNetworkV6), 16));
        }
        return dict.Encode();
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static byte[] Compact(IEnumerable<IPEndPoint> endPoints, int addressLength)
    {
        var list = endPoints.ToList();
        var bytes = new byte[list.Count * (addressLength + 2)];
        for (var i = 0; i < list.Count; i++)
        {
            var entry = bytes.AsSpan(i * (addressLength + 2), addressLength + 2);
            list[i].Address.TryWriteBytes(entry, out _);
            BinaryPrimitives.WriteUInt16BigEndian(entry[addressLength..], (ushort)list[i].Port);
        }
        return bytes;
    }
}
