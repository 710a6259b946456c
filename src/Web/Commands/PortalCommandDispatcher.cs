namespace GitTorrent.Web.Commands;

/// <summary>
/// Maps the first command-line word to a maintenance command. Anything starting with '-' (e.g. <c>--urls</c>) is
/// not a command: the portal then serves. Add a command by adding an <see cref="IPortalCommand"/> below.
/// </summary>
public sealed class PortalCommandDispatcher
{
    private readonly Dictionary<string, IPortalCommand> commands = new IPortalCommand[]
    {
        new MigrateCommand(),
        new AdminCommand(),
        new WhoamiCommand(),
        new MirrorCommand(),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => commands.Keys;

    /// <summary>True when <paramref name="args"/> asks for a maintenance command rather than the web server.</summary>
    public static bool IsCommand(IReadOnlyList<string> args) =>
        args.Count > 0 && (IsHelp(args[0]) || (!args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal)));

    public string Help() =>
        "usage: GitTorrent.Web [--urls URL] [--Key=Value ...]   serve the portal (default http://127.0.0.1:5000)\n"
        + "       GitTorrent.Web <command> [args]                 run a maintenance command, then exit\n\ncommands:\n"
        + string.Join("\n", commands.Values.SelectMany(c => c.Usage.Split('\n')).Select(l => "  " + l)) + "\n";

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (IsHelp(args[0]))
        {
            await Console.Out.WriteAsync(Help());
            return 0;
        }

        if (!commands.TryGetValue(args[0], out var command))
        {
            await Console.Error.WriteLineAsync(
                $"Unknown command '{args[0]}'. Commands: {string.Join(", ", commands.Keys)}. Without a command the portal serves.");
            return 2;
        }

        var rest = args.Skip(1).ToList();
        if (rest is ["--help"] or ["-h"])
        {
            await Console.Out.WriteLineAsync("usage: " + command.Usage.Replace("\n", "\n       ", StringComparison.Ordinal));
            return 0;
        }

        return await command.RunAsync(services, rest, cancellationToken);
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "help";
}
