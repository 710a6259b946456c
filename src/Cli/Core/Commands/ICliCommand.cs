namespace GitTorrent.Cli.Commands;

/// <summary>A <c>gittorrent</c> subcommand. Register it in <see cref="CommandTable"/>.</summary>
public interface ICliCommand
{
    /// <summary>The word after <c>gittorrent</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>gittorrent --help</c>.</summary>
    string Summary { get; }

    /// <summary>Usage lines for <c>gittorrent &lt;name&gt; --help</c> (without the common options).</summary>
    string Usage { get; }

    /// <summary>Runs with the words after the command name (common options already removed); returns the exit code.</summary>
    Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken);
}
