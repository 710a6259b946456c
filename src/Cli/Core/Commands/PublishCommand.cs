using GitTorrent.Cli.Network;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;

namespace GitTorrent.Cli.Commands;

/// <summary><c>gittorrent publish --repos DIR</c>: signs and puts the profile once, then exits.</summary>
public sealed class PublishCommand : ICliCommand
{
    public string Name => "publish";

    public string Summary => "sign and put the profile for the repositories under DIR once";

    public string Usage => "gittorrent publish --repos DIR\n  Name and email come from $GITTORRENT_HOME/config.json ({\"name\":…,\"email\":…}).";

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (!RepositoryArguments.TryParse(args, out var directory, out var error))
        {
            await context.Error.WriteLineAsync($"gittorrent publish: {error}");
            return ExitCodes.NotImplemented;
        }
        try
        {
            using var identity = IdentityFile.Load(context.Options.Home);
            var repositories = RepositoryScanner.Scan(directory!, skipped => context.Error.WriteLine($"warning: skipping '{skipped}': not a usable repository name"));
            using var loggers = CliNode.CreateLoggerFactory();
            await using var node = await CliNode.StartClientAsync(context.Options, loggers, cancellationToken);
            await node.Joined.WaitAsync(cancellationToken);
            if (node.Dht.RoutingTableSize == 0)
            {
                await context.Error.WriteLineAsync("gittorrent publish: no DHT node answered; check --bootstrap / GITTORRENT_BOOTSTRAP");
                return ExitCodes.Failure;
            }
            var publisher = new ProfilePublisher(context.Options, identity);
            var (seq, result, _) = await publisher.PublishAsync(node, repositories, cancellationToken);
            if (result.Stored == 0)
            {
                await context.Error.WriteLineAsync($"gittorrent publish: no DHT node stored the profile (errors: {string.Join(", ", result.ErrorCodes)})");
                return ExitCodes.Failure;
            }
            await context.Out.WriteLineAsync($"published {identity.UserId} seq {seq}: {repositories.Count} repositories, stored on {result.Stored} nodes");
            return ExitCodes.Success;
        }
        catch (GitTorrentException e)
        {
            await context.Error.WriteLineAsync("gittorrent publish: " + e.Message);
            return ExitCodes.Failure;
        }
    }
}
