using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Wire.Messages;
using GitTorrent.Engine.Base;

namespace GitTorrent.Engine.Wire.Extensions;

/// <summary>
/// A ut_metadata message (BEP 9): a bencoded dict <c>{msg_type, piece[, total_size]}</c>, followed for data
/// messages by the piece's bytes (at most 16 KiB).
/// </summary>
public readonly record struct UtMetadataMessage(UtMetadataMessageType Type, int Piece, int TotalSize, ReadOnlyMemory<byte> Data)
{
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out UtMetadataMessage message)
    {
        message = default;
        if (!BencodeReader.TryDecodePrefix(payload, out var value, out var consumed, out _, BencodeReadOptions.Lenient)
            || value is not BDictionary dict
            || dict.GetInteger("msg_type") is not { } type || type is < 0 or > 2
            || dict.GetInteger("piece") is not { } piece || piece < 0 || piece > WireLimits.MaxMetadataSize / WireLimits.MetadataPieceSize)
        {
            return false;
        }
        var data = payload[consumed..];
        var kind = (UtMetadataMessageType)type;
        long total = 0;
        if (kind == UtMetadataMessageType.Data)
        {
            total = dict.GetInteger("total_size") ?? -1;
            if (total <= 0 || total > WireLimits.MaxMetadataSize || data.Length > WireLimits.MetadataPieceSize)
            {
                return false;
            }
        }
        else if (data.Length != 0)
        {
            return false;
        }
        message = new UtMetadataMessage(kind, (int)piece, (int)total, data);
        return true;
    }

    public byte[] Encode()
    {
        var writer = new BencodeWriter();
        writer.BeginDictionary();
        writer.WriteString("msg_type");
        writer.WriteInteger((int)Type);
        writer.WriteString("piece");
        writer.WriteInteger(Piece);
        if (Type == UtMetadataMessageType.Data)
        {
            writer.WriteString("total_size");
            writer.WriteInteger(TotalSize);
        }
        writer.End();
        writer.WriteRaw(Data.Span);
        return writer.ToArray();
    }
}
