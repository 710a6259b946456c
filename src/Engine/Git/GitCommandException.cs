namespace GitTorrent.Engine.Git;

/// <summary>A git subprocess failed; the message carries git's own stderr.</summary>
public sealed class GitCommandException(string command, int exitCode, string stderr)
    : GitTorrentException($"git {command} failed (exit {exitCode}): {stderr.Trim()}")
{
    public int ExitCode { get; } = exitCode;

    public string StandardError { get; } = stderr;
}
