namespace GitTorrent.Data.Entities;

/// <summary>
/// The last comparison of one repository's origin (a mirror's, or the host named by a profile) with the refs the portal
/// serves, written by the origin check job of whichever replica ran it; one row per repository.
/// </summary>
public sealed class OriginCheck
{
    public long Id { get; set; }

    /// <summary>The repository's owner (40-hex user id; the portal's own id for mirrors).</summary>
    public required string UserId { get; set; }

    public required string Repository { get; set; }

    /// <summary>The URL that was asked (<c>git ls-remote</c>).</summary>
    public required string OriginUrl { get; set; }

    public OriginCheckState State { get; set; }

    /// <summary>For <see cref="OriginCheckState.Differs"/>: the differing ref names, one per line, sorted (at most a bounded number).</summary>
    public string? DifferingRefs { get; set; }

    /// <summary>For <see cref="OriginCheckState.Unreachable"/>: why (git's message or the timeout).</summary>
    public string? Error { get; set; }

    public DateTimeOffset CheckedAt { get; set; }
}
