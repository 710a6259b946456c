using GitTorrent.Data;
using GitTorrent.Web.Identity;
using GitTorrent.Web.Mirrors;

namespace GitTorrent.Web.Commands;

/// <summary><c>mirror add|list|sync</c>: org mirrors published under the portal's identity.</summary>
public sealed class MirrorCommand : IPortalCommand
{
    public string Name => "mirror";

    public string Usage => "mirror add <origin-url> [--name N] [--interval 1h]\n"
        + "mirror list\n"
        + "mirror sync <name>";

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var migration = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        if (!migration.Succeeded)
        {
            return 1;
        }

        var mirrors = services.GetRequiredService<MirrorService>();
        if (args is ["add", var url, ..])
        {
            return await AddAsync(services, mirrors, url, [.. args.Skip(2)], cancellationToken);
        }

        switch (args)
        {
            case ["list"]:
                var portalId = services.GetRequiredService<PortalIdentity>().UserId;
                foreach (var m in await mirrors.ListAsync(cancellationToken))
                {
                    var state = m.LastSync is null ? "never synced" : $"synced {m.LastSync:yyyy-MM-dd HH:mm:ss}Z";
                    var error = m.LastError is null ? "" : $" error: {m.LastError.ReplaceLineEndings(" ")}";
                    await Console.Out.WriteLineAsync(
                        $"{m.Name}\t{m.OriginUrl}\tevery {MirrorInterval.Format(m.SyncInterval)}\t{state}\t{m.BytesServed} bytes served\t/u/{portalId}/{m.Name}{error}");
                }

                return 0;
            case ["sync", var name]:
                var mirror = await mirrors.FindAsync(name, cancellationToken);
                if (mirror is null)
                {
                    await Console.Error.WriteLineAsync($"mirror sync: no mirror named '{name}'.");
                    return 1;
                }

                var failure = await mirrors.SyncAsync(mirror.Id, cancellationToken);
                // No hosted services in a command: write the bytes fetched from the origin before the process ends.
                await services.GetRequiredService<Traffic.TrafficRecorder>().RecordAsync(cancellationToken);
                if (failure is not null)
                {
                    await Console.Error.WriteLineAsync($"mirror sync: {name}: {failure.ReplaceLineEndings(" ")}");
                    return 1;
                }

                await Console.Out.WriteLineAsync($"Synced {name}.");
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: " + Usage.Replace("\n", "\n       ", StringComparison.Ordinal));
                return 2;
        }
    }

    private static async Task<int> AddAsync(IServiceProvider services, MirrorService mirrors, string url, string[] options, CancellationToken cancellationToken)
    {
        string? name = null;
        var interval = MirrorInterval.Default;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--name" when i + 1 < options.Length:
                    name = options[++i];
                    break;
                case "--interval" when i + 1 < options.Length:
                    if (!MirrorInterval.TryParse(options[++i], out interval))
                    {
                        await Console.Error.WriteLineAsync($"mirror add: '{options[i]}' is not an interval such as 30s, 15m, 1h or 1d (1 s to 30 days).");
                        return 2;
                    }

                    break;
                default:
                    await Console.Error.WriteLineAsync($"mirror add: unexpected '{options[i]}'. usage: mirror add <origin-url> [--name N] [--interval 1h]");
                    return 2;
            }
        }

        var result = await mirrors.AddAsync(url, name, interval, cancellationToken);
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"mirror add: {result.Error}");
            return 1;
        }

        var portalId = services.GetRequiredService<PortalIdentity>().UserId;
        await Console.Out.WriteLineAsync(
            $"Added mirror '{result.Mirror!.Name}' of {result.Mirror.OriginUrl}, synced every {MirrorInterval.Format(interval)}: /u/{portalId}/{result.Mirror.Name}");
        return 0;
    }
}
