namespace GitTorrent.Engine.Wire.Messages;

/// <summary>Outcome of <see cref="FrameDecoder.TryReadFrame"/>.</summary>
public enum FrameStatus
{
    /// <summary>A whole frame was read.</summary>
    Frame,

    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,

    /// <summary>The length prefix breaks a limit; the peer must be dropped.</summary>
    TooLong,
}
