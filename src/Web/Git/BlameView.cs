namespace GitTorrent.Web.Git;

/// <summary>
/// A file's blame grouped by commit. <see cref="Refusal"/> says why there is none (too large, binary, timed out).
/// </summary>
public sealed record BlameView(IReadOnlyList<BlameHunk> Hunks, int LineCount, string? Refusal)
{
    public static BlameView Refused(string reason) => new([], 0, reason);
}
