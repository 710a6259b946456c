namespace GitTorrent.Engine.Git;

/// <summary>What importing a received pack did.</summary>
public sealed record PackImportResult(bool Success, string? Error, long PackBytes)
{
    public static PackImportResult Failed(string error, long bytes) => new(false, error, bytes);
}
