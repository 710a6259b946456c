using System.Buffers.Binary;
using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Whom a per-source limit charges for a datagram: the sender's address (IPv4-mapped IPv6 folded to IPv4),
/// and for loopback senders the port as well, since every process on the machine shares 127.0.0.1 (tests
/// run many nodes there). On the internet ports are free to an attacker, so they do not buy a new budget.
/// </summary>
internal readonly record struct SourceKey(UInt128 Address, int Port)
{
    public static SourceKey Of(IPEndPoint endPoint)
    {
        var address = Normalize(endPoint.Address);
        return new SourceKey(ToNumber(address), IPAddress.IsLoopback(address) ? endPoint.Port : 0);
    }

    /// <summary>The address as a 128-bit number; IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d).</summary>
    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.MapToIPv6().TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
