using System.Net;

namespace GitTorrent.Web.Security;

/// <summary>
/// The key per-address limits count under: the client's address as the forwarded-headers middleware left it (only a
/// trusted proxy can change it), IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its /64 (one host usually has a whole
/// /64, so counting single IPv6 addresses would give it billions of budgets).
/// </summary>
public static class ClientAddress
{
    public static string KeyOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return KeyOf(context.Connection.RemoteIpAddress);
    }

    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
