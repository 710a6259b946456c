using GitTorrent.Engine;

namespace GitTorrent.Cli.Commands;

/// <summary><c>gittorrent whoami</c>: prints the 40-hex user id of the identity in $GITTORRENT_HOME.</summary>
public sealed class WhoamiCommand : ICliCommand
{
    public string Name => "whoami";

    public string Summary => "print the 40-hex user id";

    public string Usage => "gittorrent whoami";

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        try
        {
            using var identity = IdentityFile.Load(context.Options.Home);
            await context.Out.WriteLineAsync(identity.UserId.ToString());
            return ExitCodes.Success;
        }
        catch (GitTorrentException e)
        {
            await context.Error.WriteLineAsync("gittorrent whoami: " + e.Message);
            return ExitCodes.Failure;
        }
    }
}
