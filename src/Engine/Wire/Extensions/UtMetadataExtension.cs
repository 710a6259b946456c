using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// ut_metadata (BEP 9) both ways: serves 16 KiB pieces of the info dictionary we hold and hands pieces we asked
/// for to the torrent, which assembles them and checks them against the infohash.
/// </summary>
public sealed class UtMetadataExtension : IExtension
{
    public const string ExtensionName = "ut_metadata";

    public string Name => ExtensionName;

    public void ContributeHandshake(PeerConnection connection, BDictionary handshake)
    {
        if (connection.MetadataHost is { InfoBytes.Length: > 0 } host)
        {
            handshake.Add("metadata_size", host.InfoBytes.Length);
        }
    }

    public void OnRemoteHandshake(PeerConnection connection, BDictionary handshake)
    {
        if (connection.MetadataHost is { } host && connection.RemoteExtensions.ContainsKey(ExtensionName)
            && handshake.GetInteger("metadata_size") is { } size)
        {
            if (size <= 0 || size > WireLimits.MaxMetadataSize)
            {
                throw new ProtocolViolationException("metadata_size out of range.");
            }
            host.OnMetadataOffered(connection, (int)size);
        }
    }

    public void OnMessage(PeerConnection connection, ReadOnlyMemory<byte> payload)
    {
        if (!UtMetadataMessage.TryDecode(payload, out var message))
        {
            throw new ProtocolViolationException("Bad ut_metadata message.");
        }
        var host = connection.MetadataHost;
        switch (message.Type)
        {
            case UtMetadataMessageType.Request:
                var info = host?.InfoBytes ?? default;
                var offset = (long)message.Piece * WireLimits.MetadataPieceSize;
                var reply = info.IsEmpty || offset >= info.Length
                    ? new UtMetadataMessage(UtMetadataMessageType.Reject, message.Piece, 0, default)
                    : new UtMetadataMessage(UtMetadataMessageType.Data, message.Piece, info.Length,
                        info.Slice((int)offset, (int)Math.Min(WireLimits.MetadataPieceSize, info.Length - offset)));
                connection.SendExtended(ExtensionName, reply.Encode());
                break;
            case UtMetadataMessageType.Data:
                host?.OnMetadataPiece(connection, message.Piece, message.TotalSize, message.Data.Span);
                break;
            case UtMetadataMessageType.Reject:
                host?.OnMetadataRejected(connection, message.Piece);
                break;
        }
    }

    /// <summary>Asks <paramref name="connection"/> for one metadata piece.</summary>
    public static bool Request(PeerConnection connection, int piece) =>
        connection.SendExtended(ExtensionName, new UtMetadataMessage(UtMetadataMessageType.Request, piece, 0, default).Encode());
}
