namespace GitTorrent.Cli;

/// <summary>What a command gets: the parsed common options and where to write.</summary>
public sealed record CliContext(CliOptions Options, TextWriter Out, TextWriter Error);
