using GitTorrent.Web.Identity;

namespace GitTorrent.Web.Commands;

/// <summary><c>whoami</c>: prints the portal's own 40-hex user id (creating its identity on first use).</summary>
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

        await Console.Out.WriteLineAsync(services.GetRequiredService<PortalIdentity>().UserId);
        return 0;
    }
}
