namespace GitTorrent.Indexer.Names;

/// <summary>Why the data of an OP_RETURN script could not be read.</summary>
public enum OpReturnScriptError
{
    None = 0,

    /// <summary>Something other than data pushes follows OP_RETURN (OP_1..OP_16 included).</summary>
    NotPushOnly,

    /// <summary>A push announces more bytes than the script holds.</summary>
    TruncatedPush,

    /// <summary>More than one data push follows OP_RETURN; a payload is the data of exactly one push.</summary>
    MultiplePushes,
}
