using System.Diagnostics;
using System.Text;
using GitTorrent.Engine.Git;

namespace GitTorrent.Web.Git;

/// <summary>
/// Runs a read-only git command in a repository of the store and reads its output as lines, within a byte budget
/// and a cancellation token (the caller's timeout): past either, git is killed and the lines so far come back with
/// <see cref="GitOutput.Stop"/> saying which (<see cref="GitWorkStop.OutputLimit"/> is counted in
/// <see cref="BrowseStatistics"/>). Records end with <paramref name="terminator"/> (a newline, or NUL for <c>-z</c>
/// output). A line longer than <paramref name="maxLineChars"/> is cut, so one huge
/// line (a minified file) costs no more than the budget. Pathspecs are literal (<c>--literal-pathspecs</c>): a path
/// from a URL is never read as pathspec magic.
/// </summary>
public static class GitOutputReader
{
    public static async Task<GitOutput> ReadLinesAsync(string repositoryPath, IReadOnlyList<string> arguments, long maxBytes,
        int maxLineChars, char terminator, BrowseStatistics statistics, CancellationToken cancellationToken)
    {
        using var process = Process.Start(GitRunner.CreateStartInfo(repositoryPath, ["--literal-pathspecs", .. arguments]))
            ?? throw new InvalidOperationException("Could not start git.");
        process.StandardInput.Close();
        var stderr = DrainAsync(process.StandardError);
        var lines = new List<string>();
        var stop = GitWorkStop.None;
        var line = new StringBuilder();
        var buffer = new char[16 * 1024];
        long bytes = 0;
        try
        {
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
                if (bytes > maxBytes)
                {
                    stop = GitWorkStop.OutputLimit;
                    statistics.CountOutputCapped();
                    break;
                }

                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == terminator)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }
                    else if (line.Length < maxLineChars)
                    {
                        line.Append(buffer[i]);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            stop = GitWorkStop.TimedOut;
        }
        finally
        {
            if (!process.HasExited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        if (stop == GitWorkStop.None && line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        return new GitOutput(lines, stop, stop == GitWorkStop.None ? process.ExitCode : -1, await stderr);
    }

    private static async Task<string> DrainAsync(StreamReader reader)
    {
        const int Keep = 4096;
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            if (kept.Length < Keep)
            {
                kept.Append(buffer, 0, Math.Min(n, Keep - kept.Length));
            }
        }

        return kept.ToString();
    }
}
