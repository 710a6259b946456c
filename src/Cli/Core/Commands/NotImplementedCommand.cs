namespace GitTorrent.Cli.Commands;

/// <summary>Stands in for a command whose issue has not landed: says so on stderr and exits 2.</summary>
public sealed class NotImplementedCommand(string name, string summary, string usage) : ICliCommand
{
    public string Name => name;

    public string Summary => summary;

    public string Usage => usage;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Error.WriteLineAsync($"gittorrent {name}: not implemented yet");
        return ExitCodes.NotImplemented;
    }
}
