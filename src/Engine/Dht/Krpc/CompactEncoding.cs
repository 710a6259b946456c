using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace GitTorrent.Engine.Dht.Krpc;

/// <summary>
/// "Compact" peer and node formats: BEP 5 for IPv4 (6-byte peer, 26-byte node) and BEP 32 for IPv6
/// (18-byte peer, 38-byte node). Port 0 entries are skipped on read: nobody can be reached there.
/// </summary>
public static class CompactEncoding
{
    /// <summary>BEP 5: 4-byte address + 2-byte port.</summary>
    public const int PeerV4Length = 6;

    /// <summary>BEP 32: 16-byte address + 2-byte port.</summary>
    public const int PeerV6Length = 18;

    /// <summary>BEP 5: 20-byte id + compact peer.</summary>
    public const int NodeV4Length = Hash20.Length + PeerV4Length;

    /// <summary>BEP 32: 20-byte id + compact IPv6 peer.</summary>
    public const int NodeV6Length = Hash20.Length + PeerV6Length;

    public static int PeerLength(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? PeerV6Length : PeerV4Length;

    /// <summary>Writes <paramref name="endPoint"/> as a compact peer; returns the bytes written.</summary>
    public static int WritePeer(IPEndPoint endPoint, Span<byte> destination)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        if (!address.TryWriteBytes(destination, out var written))
        {
            throw new ArgumentException("Destination too small for a compact peer.", nameof(destination));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[written..], (ushort)endPoint.Port);
        return written + 2;
    }

    public static byte[] EncodePeer(IPEndPoint endPoint)
    {
        Span<byte> buffer = stackalloc byte[PeerV6Length];
        var n = WritePeer(endPoint, buffer);
        return buffer[..n].ToArray();
    }

    /// <summary>Reads a 6-byte (IPv4) or 18-byte (IPv6) compact peer.</summary>
    public static bool TryReadPeer(ReadOnlySpan<byte> source, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (source.Length != PeerV4Length && source.Length != PeerV6Length)
        {
            return false;
        }
        var addressLength = source.Length - 2;
        var port = BinaryPrimitives.ReadUInt16BigEndian(source[addressLength..]);
        if (port == 0)
        {
            return false;
        }
        endPoint = new IPEndPoint(new IPAddress(source[..addressLength]), port);
        return true;
    }

    /// <summary>Encodes contacts of one address family as a "nodes" (IPv4) or "nodes6" (IPv6) string.</summary>
    public static byte[] EncodeNodes(IReadOnlyList<DhtContact> contacts, AddressFamily family)
    {
        var entry = family == AddressFamily.InterNetworkV6 ? NodeV6Length : NodeV4Length;
        var count = 0;
        foreach (var c in contacts)
        {
            if (c.EndPoint.AddressFamily == family)
            {
                count++;
            }
        }
        var bytes = new byte[count * entry];
        var offset = 0;
        foreach (var c in contacts)
        {
            if (c.EndPoint.AddressFamily != family)
            {
                continue;
            }
            c.Id.CopyTo(bytes.AsSpan(offset));
            WritePeer(c.EndPoint, bytes.AsSpan(offset + Hash20.Length));
            offset += entry;
        }
        return bytes;
    }

    /// <summary>
    /// Decodes a "nodes"/"nodes6" string into <paramref name="output"/>. A length that is not a whole
    /// number of entries makes the whole string invalid (returns false, adds nothing).
    /// </summary>
    public static bool TryDecodeNodes(ReadOnlySpan<byte> source, AddressFamily family, List<DhtContact> output)
    {
        var entry = family == AddressFamily.InterNetworkV6 ? NodeV6Length : NodeV4Length;
        if (source.Length % entry != 0)
        {
            return false;
        }
        for (var offset = 0; offset < source.Length; offset += entry)
        {
            var id = new Hash20(source.Slice(offset, Hash20.Length));
            if (TryReadPeer(source.Slice(offset + Hash20.Length, entry - Hash20.Length), out var endPoint))
            {
                output.Add(new DhtContact(id, endPoint));
            }
        }
        return true;
    }
}
