namespace GitTorrent.Engine.Git;

/// <summary>
/// A repository found from a folder the way git finds it: its git directory and, unless it is bare, the top of
/// its working tree.
/// </summary>
public sealed record GitWorkTree(string GitDirectory, string? TopLevel)
{
    public bool IsBare => TopLevel is null;

    /// <summary>The repository containing <paramref name="directory"/>, or null when there is none.</summary>
    public static async Task<GitWorkTree?> FindAsync(string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }
        var found = await GitRunner.RunCapturedAsync(directory, ["rev-parse", "--absolute-git-dir", "--is-bare-repository"],
            cancellationToken).ConfigureAwait(false);
        var lines = found.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (found.ExitCode != 0 || lines.Length != 2)
        {
            return null;
        }
        if (lines[1] == "true")
        {
            return new GitWorkTree(lines[0], null);
        }
        var top = await GitRunner.RunCapturedAsync(directory, ["rev-parse", "--show-toplevel"], cancellationToken).ConfigureAwait(false);
        // Inside the git directory of a non-bare repository there is no working tree: treat it as bare.
        return new GitWorkTree(lines[0], top.ExitCode == 0 ? top.StandardOutput.TrimEnd('\n') : null);
    }
}
