namespace GitTorrent.Web.Git;

/// <summary>
/// Lines a git command printed. <see cref="Stop"/> says whether the timeout or the output budget stopped it (then
/// <see cref="Lines"/> holds the lines before, and <see cref="ExitCode"/> is -1).
/// </summary>
public sealed record GitOutput(IReadOnlyList<string> Lines, GitWorkStop Stop, int ExitCode, string Error)
{
    public bool Complete => Stop == GitWorkStop.None;
}
