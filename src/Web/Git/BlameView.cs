namespace GitTorrent.Web.Git;

/// <summary>
/// A file's blame grouped by commit. <see cref="Refusal"/> says why there is none (too large, binary) and
/// <see cref="Stop"/> whether git was stopped or the work refused (then there are no hunks either).
/// </summary>
public sealed record BlameView(IReadOnlyList<BlameHunk> Hunks, int LineCount, string? Refusal, GitWorkStop Stop)
{
    public static BlameView Refused(string reason) => new([], 0, reason, GitWorkStop.None);

    public static BlameView Stopped(GitWorkStop stop) => new([], 0, null, stop);
}
