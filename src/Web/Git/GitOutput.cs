namespace GitTorrent.Web.Git;

/// <summary>Lines a git command printed; <see cref="Complete"/> is false when a budget or the timeout stopped it.</summary>
public sealed record GitOutput(IReadOnlyList<string> Lines, bool Complete, int ExitCode, string Error);
