namespace GitTorrent.Engine.Git;

/// <summary>What importing a received pack did.</summary>
public sealed record PackImportResult(bool Success, string? Error, long PackBytes)
{
    /// <summary>
    /// Set when the pack was checked to be self-contained and connected (a full pack): the path of a <c>.keep</c> file
    /// beside it, which the caller removes or hands to git (<c>lock</c> in the remote-helper protocol).
    /// </summary>
    public string? KeepFile { get; init; }

    public static PackImportResult Failed(string error, long bytes) => new(false, error, bytes);
}
