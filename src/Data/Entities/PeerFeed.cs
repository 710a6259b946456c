namespace GitTorrent.Data.Entities;

/// <summary>
/// One followed portal (<c>GitTorrent:Peers</c>): how far its <c>/api/users</c> feed has been read, shared by every
/// replica (the feed job of whichever replica holds the lease reads from here and writes back).
/// </summary>
public sealed class PeerFeed
{
    /// <summary>The portal's base URL as configured (trailing slash removed).</summary>
    public required string BaseUrl { get; set; }

    /// <summary>The <c>next</c> cursor of the last page read; null = from the start.</summary>
    public string? Cursor { get; set; }

    /// <summary>User ids the feed named, since it was first followed.</summary>
    public long IdsSeen { get; set; }

    /// <summary>When a page was last read successfully.</summary>
    public DateTimeOffset? LastReadAt { get; set; }

    /// <summary>When the feed was last read to its end (<c>next</c> = null).</summary>
    public DateTimeOffset? CaughtUpAt { get; set; }

    /// <summary>The last error (cleared by a successful read).</summary>
    public string? LastError { get; set; }
}
