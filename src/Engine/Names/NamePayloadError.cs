namespace GitTorrent.Engine.Names;

/// <summary>Why <see cref="NamePayload.TryParse"/> rejected an OP_RETURN payload.</summary>
public enum NamePayloadError
{
    None = 0,

    /// <summary>The bytes do not start with a GitTorrent prefix: someone else's OP_RETURN, not malformed.</summary>
    NotGitTorrent,

    /// <summary>More than <see cref="NamePayload.MaxPayloadLength"/> bytes (the data of one OP_RETURN output).</summary>
    TooLong,

    /// <summary>A PREORDER that is not exactly 23 bytes, or a REGISTER shorter than 40 or longer than 71 bytes.</summary>
    BadLength,

    /// <summary>The name does not match <c>^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$</c>.</summary>
    InvalidName,

    /// <summary>A CLAIM whose keyhash is not exactly 40 lowercase hex digits.</summary>
    BadKeyHash,

    /// <summary>A CLAIM without the <c>!</c> between name and keyhash.</summary>
    MissingSeparator,
}
