using GitTorrent.Engine;
using GitTorrent.Engine.Wire.Extensions;
using GitTorrent.Engine.Base;
using GitTorrent.Engine.Wire.Messages;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// A <c>ut_metadata</c> message (BEP 9): <see cref="UtMetadataMessage.TryDecode"/>, then the extension serving or
/// receiving metadata. Bad input is a false TryDecode, and <see cref="ProtocolViolationException"/> from the extension
/// (the peer is dropped). A decoded message must encode back to bytes that decode to the same message.
/// </summary>
public static class UtMetadataTarget
{
    public static void Run(byte[] input)
    {
        if (UtMetadataMessage.TryDecode(input, out var message))
        {
            FuzzInvariantException.Check(message.Piece >= 0 && message.Data.Length <= WireLimits.MetadataPieceSize,
                "a message over its limits was accepted");
            FuzzInvariantException.Check(UtMetadataMessage.TryDecode(message.Encode(), out var again)
                && again.Type == message.Type && again.Piece == message.Piece && again.TotalSize == message.TotalSize
                && again.Data.Span.SequenceEqual(message.Data.Span), "an encoded message decodes to another message");
        }
        try
        {
            ExtensionHost.Instance.Deliver(UtMetadataExtension.ExtensionName, input);
        }
        catch (ProtocolViolationException)
        {
            FuzzInvariantException.Check(!UtMetadataMessage.TryDecode(input, out _), "the extension refused a message that decodes");
        }
    }

    public static IEnumerable<byte[]> Seeds()
    {
        yield return new UtMetadataMessage(UtMetadataMessageType.Request, 1, 0, default).Encode();
        yield return new UtMetadataMessage(UtMetadataMessageType.Data, 0, 20, "d4:name1:x6:lengthi1ee"u8.ToArray()).Encode();
        yield return new UtMetadataMessage(UtMetadataMessageType.Reject, 2, 0, default).Encode();
    }
}
