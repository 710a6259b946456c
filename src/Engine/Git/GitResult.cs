namespace GitTorrent.Engine.Git;

/// <summary>Exit code and captured output of one git command.</summary>
public sealed record GitResult(int ExitCode, string StandardOutput, string StandardError);
