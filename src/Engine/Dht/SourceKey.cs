using System.Buffers.Binary;
using System.Net;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// Whom a per-source limit charges for a datagram: the sender's IPv4 address (IPv4-mapped IPv6 folded to
/// IPv4) or IPv6 /64, since one host commonly has a whole /64 to pick addresses from; for loopback senders
/// the address and the port, since every process on the machine shares 127.0.0.1 (tests run many nodes
/// there). On the internet ports are free to an attacker, so they do not buy a new budget.
/// </summary>
internal readonly record struct SourceKey(UInt128 Address, int Port)
{
    public static SourceKey Of(IPEndPoint endPoint)
    {
        var address = Normalize(endPoint.Address);
        return IPAddress.IsLoopback(address)
            ? new SourceKey(Network(address, 0, 0), endPoint.Port)
            : new SourceKey(Network(address, 0, 64), 0);
    }

    /// <summary>
    /// The address as a 128-bit number (IPv4 as its IPv4-mapped IPv6 form, ::ffff:a.b.c.d) with its last
    /// <paramref name="ipv4HostBits"/> or <paramref name="ipv6HostBits"/> bits cleared: the network it is in.
    /// </summary>
    public static UInt128 Network(IPAddress address, int ipv4HostBits, int ipv6HostBits)
    {
        address = Normalize(address);
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        var ipv4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        if (ipv4)
        {
            bytes[10] = bytes[11] = 0xff; // ::ffff:a.b.c.d, without allocating the mapped address
        }
        address.TryWriteBytes(ipv4 ? bytes[12..] : bytes, out _);
        var hostBits = ipv4 ? ipv4HostBits : ipv6HostBits;
        return BinaryPrimitives.ReadUInt128BigEndian(bytes) >> hostBits << hostBits;
    }

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
