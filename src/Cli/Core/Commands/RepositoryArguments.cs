namespace GitTorrent.Cli.Commands;

/// <summary>The <c>--repos DIR</c> argument of daemon and publish.</summary>
internal static class RepositoryArguments
{
    public static bool TryParse(IReadOnlyList<string> args, out string? directory, out string? error)
    {
        directory = null;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--repos" && i + 1 < args.Count)
            {
                directory = args[++i];
            }
            else if (arg.StartsWith("--repos=", StringComparison.Ordinal))
            {
                directory = arg["--repos=".Length..];
            }
            else
            {
                error = $"unexpected argument '{arg}'";
                return false;
            }
        }
        if (string.IsNullOrEmpty(directory))
        {
            error = "--repos DIR is required";
            return false;
        }
        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory))
        {
            error = $"'{directory}' is not a folder";
            return false;
        }
        return true;
    }
}
