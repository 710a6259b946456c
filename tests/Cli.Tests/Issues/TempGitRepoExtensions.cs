using GitTorrent.Engine.Git;
using GitTorrent.TestSupport;

namespace GitTorrent.Cli.Tests.Issues;

internal static class TempGitRepoExtensions
{
    /// <summary>Runs git where failing is expected (a conflicting merge); returns the exit code.</summary>
    public static int TryGit(TempGitRepo repo, params string[] args) =>
        GitRunner.RunCapturedAsync(repo.Root, args, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult().ExitCode;

    public static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
