namespace GitTorrent.Cli;

/// <summary>What <see cref="CliOptionsParser.Parse"/> found: the options, the words left for the command, or an error.</summary>
public sealed record CliOptionsParseResult(CliOptions? Options, IReadOnlyList<string> Remaining, string? Error)
{
    public bool Succeeded => Error is null;
}
