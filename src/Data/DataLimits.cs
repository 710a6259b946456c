namespace GitTorrent.Data;

/// <summary>Column sizes shared by the model and by input validation.</summary>
public static class DataLimits
{
    /// <summary>A SHA-1 in hex: user ids, git object ids, v1 infohashes.</summary>
    public const int Sha1Hex = 40;

    /// <summary>A SHA-256 in hex: txids, block hashes, commitments.</summary>
    public const int Sha256Hex = 64;

    /// <summary>BEP 44 limits a value to 1000 bytes; allow headroom for the overflow form.</summary>
    public const int MaxProfileBytes = 4096;

    public const int MaxDisplayName = 200;
    public const int MaxEmail = 320;
    public const int MaxUserName = 64;
    public const int MaxRepositoryName = 200;
    public const int MaxRefName = 1024;

    /// <summary>Job kinds (<c>mirror-sync</c>), keys (a user id, a mirror id, a replica-scoped repository) and holders.</summary>
    public const int MaxJobKind = 32;
    public const int MaxJobKey = 300;
    public const int MaxJobHolder = 120;
    public const int MaxJobError = 2000;

    /// <summary>A followed portal's base URL (<c>GitTorrent:Peers</c>); also the key of its feed job.</summary>
    public const int MaxPeerUrl = MaxJobKey;

    /// <summary>A feed cursor a peer gave us (opaque to us; longer ones are refused).</summary>
    public const int MaxFeedCursor = 200;

    /// <summary>The differing ref names an origin check keeps (newline-separated; the list is cut to fit).</summary>
    public const int MaxOriginDifferences = 4000;
}
