using GitTorrent.Engine.Profiles;

namespace GitTorrent.Cli.Commands;

/// <summary><c>gittorrent keygen</c>: creates the ed25519 identity; never overwrites one.</summary>
public sealed class KeygenCommand : ICliCommand
{
    public string Name => "keygen";

    public string Summary => "create the ed25519 identity in $GITTORRENT_HOME; prints the 40-hex user id";

    public string Usage => "gittorrent keygen\n  Refuses to overwrite an existing identity.";

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count > 0)
        {
            await context.Error.WriteLineAsync($"gittorrent keygen: unexpected argument '{args[0]}'");
            return ExitCodes.NotImplemented;
        }
        var path = IdentityFile.PathIn(context.Options.Home);
        if (File.Exists(path))
        {
            await context.Error.WriteLineAsync($"gittorrent keygen: an identity already exists at {path}; refusing to overwrite it");
            return ExitCodes.Failure;
        }
        using var identity = UserIdentity.Generate();
        identity.Save(path);
        await context.Out.WriteLineAsync(identity.UserId.ToString());
        return ExitCodes.Success;
    }
}
