using System.Text;
using GitTorrent.Cli.Commands;

namespace GitTorrent.Cli;

/// <summary>The <c>gittorrent</c> program: parses common options, then dispatches to one command.</summary>
public sealed class CliApp(IReadOnlyDictionary<string, ICliCommand> commands, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = CliOptionsParser.Parse(args, environment);
        if (!parsed.Succeeded)
        {
            await error.WriteLineAsync($"gittorrent: {parsed.Error}");
            return ExitCodes.NotImplemented;
        }

        var words = parsed.Remaining;
        if (words.Count == 0)
        {
            await error.WriteAsync(Help());
            return ExitCodes.NotImplemented;
        }

        if (words[0] is "--help" or "-h" or "help")
        {
            await output.WriteAsync(Help());
            return ExitCodes.Success;
        }

        if (!commands.TryGetValue(words[0], out var command))
        {
            await error.WriteLineAsync($"gittorrent: unknown command '{words[0]}'. Run 'gittorrent --help' for the list.");
            return ExitCodes.NotImplemented;
        }

        var rest = words.Skip(1).ToList();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            await output.WriteAsync(CommandHelp(command));
            return ExitCodes.Success;
        }

        return await command.RunAsync(new CliContext(parsed.Options!, output, error), rest, cancellationToken);
    }

    public string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: gittorrent [options] <command> [args]");
        text.AppendLine();
        text.AppendLine("commands:");
        var width = commands.Keys.Max(k => k.Length) + 2;
        foreach (var command in commands.Values)
        {
            text.Append("  ").Append(command.Name.PadRight(width)).AppendLine(command.Summary);
        }

        text.AppendLine();
        AppendOptions(text);
        text.AppendLine();
        text.AppendLine("Run 'gittorrent <command> --help' for a command's usage.");
        return text.ToString();
    }

    private static string CommandHelp(ICliCommand command)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var line in command.Usage.Split('\n'))
        {
            // Command lines line up under "usage: "; indented notes stay as written.
            var isCommandLine = line.StartsWith("gittorrent", StringComparison.Ordinal);
            text.AppendLine(isCommandLine ? (first ? "usage: " : "       ") + line : line);
            first &= !isCommandLine;
        }

        text.AppendLine();
        text.AppendLine(command.Summary);
        text.AppendLine();
        AppendOptions(text);
        return text.ToString();
    }

    private static void AppendOptions(StringBuilder text)
    {
        text.AppendLine("common options (flags override environment):");
        foreach (var (flag, variable, value, meaning) in CliOptionsParser.Flags)
        {
            text.Append("  ").Append($"{flag} {value}".PadRight(30)).Append(variable.PadRight(26)).AppendLine(meaning);
        }

        text.Append("  ").Append(string.Empty.PadRight(30)).Append(CliOptionsParser.OriginSchemeVariable.PadRight(26))
            .AppendLine("https (default) or http for private/test origins");
        text.Append("  ").Append(string.Empty.PadRight(30)).Append(CliOptionsParser.PackCacheBytesVariable.PadRight(26))
            .AppendLine("pack cache bound in bytes: packs, builds under way, request files (default 4 GiB)");
        foreach (var setting in Engine.Node.NodeLimits.Settings)
        {
            text.Append("  ").Append(string.Empty.PadRight(30)).Append(setting.Variable.PadRight(26)).AppendLine(setting.Meaning);
        }
    }
}
