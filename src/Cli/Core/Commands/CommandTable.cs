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
        new NotImplementedCommand("daemon",
            "seed every git repository under DIR and publish the profile, until stopped",
            "gittorrent daemon --repos DIR\n  A repository's name is its path below DIR without .git or /.git."),
        new NotImplementedCommand("publish",
            "sign and put the profile for the repositories under DIR once",
            "gittorrent publish --repos DIR"),
        new NotImplementedCommand("dht",
            "DHT tools: get a BEP 44 item, run a bare node",
            "gittorrent dht get <40-hex target>   print the value and its seq; exit 1 if not found\n"
            + "gittorrent dht node                  run a bare DHT node; prints 'listening <ip>:<port> <node id>'"),
        new NameCommand(),
        new NotImplementedCommand("resolve",
            "print the user id that owns a name, from the configured resolver",
            "gittorrent resolve <name>"));

    public static IReadOnlyDictionary<string, ICliCommand> Build(params ICliCommand[] commands) =>
        commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
}
