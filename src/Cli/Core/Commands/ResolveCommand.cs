using GitTorrent.Cli.Network;
using GitTorrent.Engine;

namespace GitTorrent.Cli.Commands;

/// <summary><c>gittorrent resolve &lt;name&gt;</c>: the user id owning a name, from the configured resolver.</summary>
public sealed class ResolveCommand : ICliCommand
{
    public string Name => "resolve";

    public string Summary => "print the user id that owns a name, from the configured resolver";

    public string Usage => "gittorrent resolve <name>\n  Asks the portal named by --resolver / GITTORRENT_RESOLVER (GET /api/names/<name>).";

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args is not [var name] || !GitTorrentUrl.UsernamePattern().IsMatch(name))
        {
            await context.Error.WriteLineAsync("gittorrent resolve: expected one username (a-z, 0-9 and '-', at most 32 characters)");
            return ExitCodes.NotImplemented;
        }
        if (context.Options.Resolver is not { } resolver)
        {
            await context.Error.WriteLineAsync("gittorrent resolve: no resolver configured; set --resolver URL or GITTORRENT_RESOLVER to a portal");
            return ExitCodes.Failure;
        }
        try
        {
            var answer = await new NameResolver(resolver, allowHttp: context.Options.ResolverAllowHttp).ResolveAsync(name, cancellationToken);
            if (answer is not { Owner: { } owner, Status: var status })
            {
                await context.Error.WriteLineAsync($"gittorrent resolve: '{name}' is not registered to anyone"
                    + (answer is { Status: var s } ? $" (status {s})" : ""));
                return ExitCodes.Failure;
            }
            await context.Out.WriteLineAsync(owner.ToString());
            if (status != "settled")
            {
                await context.Error.WriteLineAsync($"note: the name is {status}, not settled yet");
            }
            return ExitCodes.Success;
        }
        catch (GitTorrentException e)
        {
            await context.Error.WriteLineAsync("gittorrent resolve: " + e.Message);
            return ExitCodes.Failure;
        }
    }
}
