using GitTorrent.Web.Identity;

namespace GitTorrent.Web.Commands;

/// <summary><c>whoami</c>: prints the portal's own 40-hex user id, the same for every replica of one database (creating it on first use).</summary>
public sealed class WhoamiCommand : IPortalCommand
{
    public string Name => "whoami";

    public string Usage => "whoami                      print the portal's own 40-hex user id";

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count != 0)
        {
            await Console.Error.WriteLineAsync($"usage: {Usage}");
            return 2;
        }

        // The identity lives in the database (shared by every replica): migrate first, as the portal does.
        var migration = await services.GetRequiredService<GitTorrent.Data.DatabaseMigrator>().MigrateAsync(cancellationToken);
        if (!migration.Succeeded)
        {
            return 1;
        }

        await Console.Out.WriteLineAsync(services.GetRequiredService<PortalIdentity>().UserId);
        return 0;
    }
}
