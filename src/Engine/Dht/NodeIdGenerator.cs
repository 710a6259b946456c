using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;

namespace GitTorrent.Engine.Dht;

/// <summary>
/// BEP 42 node ids: the first 21 bits are fixed by CRC32-C of the masked external IP and 3 random bits,
/// the last byte carries the random number, so other nodes can check that an id fits its address.
/// </summary>
public static class NodeIdGenerator
{
    private static ReadOnlySpan<byte> V4Mask => [0x03, 0x0f, 0x3f, 0xff];

    private static ReadOnlySpan<byte> V6Mask => [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

    /// <summary>A fresh BEP 42 id for <paramref name="externalAddress"/>.</summary>
    public static Hash20 Generate(IPAddress externalAddress)
    {
        Span<byte> random = stackalloc byte[Hash20.Length];
        RandomNumberGenerator.Fill(random);
        return Generate(externalAddress, random[19], random);
    }

    /// <summary>
    /// The BEP 42 id for <paramref name="externalAddress"/> and random byte <paramref name="r"/>; the middle
    /// bytes and 3 free bits come from <paramref name="filler"/> (20 bytes).
    /// </summary>
    public static Hash20 Generate(IPAddress externalAddress, byte r, ReadOnlySpan<byte> filler)
    {
        var crc = Crc(externalAddress, r);
        Span<byte> id = stackalloc byte[Hash20.Length];
        filler[..Hash20.Length].CopyTo(id);
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)(((crc >> 8) & 0xf8) | (uint)(filler[2] & 0x7));
        id[19] = r;
        return new Hash20(id);
    }

    /// <summary>Whether <paramref name="id"/> is a valid BEP 42 id for <paramref name="address"/>.</summary>
    public static bool IsValid(Hash20 id, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[Hash20.Length];
        id.CopyTo(bytes);
        var crc = Crc(address, bytes[19]);
        return bytes[0] == (byte)(crc >> 24) && bytes[1] == (byte)(crc >> 16)
            && (bytes[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    /// <summary>BEP 42 exempts local addresses: a node there may use any id.</summary>
    public static bool IsExempt(IPAddress address)
    {
        address = SourceKey.Normalize(address);
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || b[0] == 0;
        }
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
    }

    private static uint Crc(IPAddress address, byte r)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var length);
        var mask = length == 4 ? V4Mask : V6Mask;
        var octets = mask.Length;
        for (var i = 0; i < octets; i++)
        {
            bytes[i] &= mask[i];
        }
        bytes[0] |= (byte)((r & 0x7) << 5);
        var crc = 0xffffffffu;
        for (var i = 0; i < octets; i++)
        {
            crc = BitOperations.Crc32C(crc, bytes[i]);
        }
        return ~crc;
    }
}
