using GitTorrent.Engine;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// The BEP 3 handshake: <see cref="Handshake.TryDecode"/>. Bad input is a false TryDecode; a decoded handshake must
/// encode back to the 68 bytes it came from.
/// </summary>
public static class HandshakeTarget
{
    public static void Run(byte[] input)
    {
        if (!Handshake.TryDecode(input, out var handshake))
        {
            return;
        }
        var encoded = new byte[Handshake.Length];
        FuzzInvariantException.Check(handshake.Encode(encoded) == Handshake.Length
            && encoded.AsSpan().SequenceEqual(input.AsSpan(0, Handshake.Length)), "a handshake does not encode back");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var bytes = new byte[Handshake.Length];
        new Handshake(Handshake.ExtensionProtocolBit | Handshake.DhtBit, Hash20.Sha1("torrent"u8), Hash20.Sha1("peer"u8)).Encode(bytes);
        yield return bytes;
    }
}
