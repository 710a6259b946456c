namespace GitTorrent.Cli.Commands;

/// <summary>
/// The <c>gittorrent</c> subcommands (INTERFACES.md), name → handler. To implement one, write a class implementing
/// <see cref="ICliCommand"/> and put it here in place of its <see cref="NotImplementedCommand"/>.
/// </summary>
public static class CommandTable
{
    public static IReadOnlyDictionary<string, ICliCommand> Default { get; } = Build(
        new KeygenCommand(),
        new WhoamiCommand(),
        new DaemonCommand(),
        new PublishCommand(),
        new DhtCommand(),
        new NameCommand(),
        new ResolveCommand(),
        new IssueCommand());

    public static IReadOnlyDictionary<string, ICliCommand> Build(params ICliCommand[] commands) =>
        commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
}
