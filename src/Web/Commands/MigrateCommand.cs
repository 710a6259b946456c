using GitTorrent.Data;

namespace GitTorrent.Web.Commands;

/// <summary><c>migrate</c>: applies pending migrations to the configured database and exits.</summary>
public sealed class MigrateCommand : IPortalCommand
{
    public string Name => "migrate";

    public string Usage => "migrate                     apply pending database migrations, then exit";

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 0)
        {
            await Console.Error.WriteLineAsync($"migrate takes no arguments. usage: {Usage}");
            return 2;
        }

        var result = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        return result.Succeeded ? 0 : 1;
    }
}
