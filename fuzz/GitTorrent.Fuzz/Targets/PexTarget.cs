using System.Net;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A <c>ut_pex</c> message (BEP 11): <see cref="PexMessage.TryDecode"/>, then the extension handing the peers to the
/// torrent. Bad input is a false TryDecode (counted and dropped). A decoded message must encode to bytes that decode
/// to the same peers (IPv4-mapped addresses as IPv4).
/// </summary>
public static class PexTarget
{
    public static void Run(byte[] input)
    {
        if (PexMessage.TryDecode(input, out var message, out var skipped))
        {
            FuzzInvariantException.Check(skipped >= 0 && message.Added.Count <= PexMessage.MaxPeersPerMessage
                && message.Dropped.Count <= PexMessage.MaxPeersPerMessage, "more peers than the limit were read");
            FuzzInvariantException.Check(PexMessage.TryDecode(message.Encode(), out var again, out var skippedAgain) && skippedAgain == 0,
                "an encoded message does not decode whole");
            FuzzInvariantException.Check(Same(again.Added.Select(p => $"{Normal(p.EndPoint)}/{p.Flags}"), message.Added.Select(p => $"{Normal(p.EndPoint)}/{p.Flags}"))
                && Same(again.Dropped.Select(Normal), message.Dropped.Select(Normal)), "an encoded message decodes to other peers");
        }
        ExtensionHost.Instance.Deliver(UtPexExtension.ExtensionName, input);
    }

    private static string Normal(IPEndPoint endPoint) =>
        (endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint).ToString();

    private static bool Same(IEnumerable<string> left, IEnumerable<string> right) =>
        left.Order(StringComparer.Ordinal).SequenceEqual(right.Order(StringComparer.Ordinal));

    public static IEnumerable<byte[]> Seeds()
    {
        yield return new PexMessage(
            [new PexPeer(IPEndPoint.Parse("127.0.0.2:6881"), PexPeer.SeedFlag), new PexPeer(IPEndPoint.Parse("[::1]:6882"), PexPeer.ConnectableFlag)],
            [IPEndPoint.Parse("127.0.0.3:6883")]).Encode();
        yield return new PexMessage([], []).Encode();
    }
}
