namespace GitTorrent.Engine.Base;

/// <summary>Size limits enforced on every length prefix before anything is buffered or rented.</summary>
public static class WireLimits
{
    /// <summary>Block size every client requests (BEP 3 practice; larger requests are refused).</summary>
    public const int BlockSize = 16 * 1024;

    /// <summary>id + index + begin in front of a piece message's block.</summary>
    public const int PieceHeaderLength = 1 + 4 + 4;

    /// <summary>Largest piece message accepted: one 16 KiB block plus its header.</summary>
    public const int MaxPieceMessageLength = BlockSize + PieceHeaderLength;

    /// <summary>Largest message of any other kind (bitfields of huge torrents, extension messages).</summary>
    public const int MaxOtherMessageLength = 1024 * 1024;

    /// <summary>Largest info dictionary fetched with ut_metadata (BEP 9).</summary>
    public const int MaxMetadataSize = 16 * 1024 * 1024;

    /// <summary>ut_metadata piece size (BEP 9).</summary>
    public const int MetadataPieceSize = 16 * 1024;
}
