using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GitTorrent.Data;
using GitTorrent.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Commands;

/// <summary><c>admin create-user &lt;name&gt;</c>: adds a portal administrator and prints a one-time password.</summary>
public sealed partial class AdminCommand : IPortalCommand
{
    private const string PasswordAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private const int PasswordLength = 20;

    public string Name => "admin";

    public string Usage => "admin create-user <name>    add a portal administrator; prints a one-time password";

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args is not ["create-user", var userName])
        {
            await Console.Error.WriteLineAsync($"usage: {Usage}");
            return 2;
        }

        if (!UserNamePattern().IsMatch(userName))
        {
            await Console.Error.WriteLineAsync(
                $"admin create-user: '{userName}' is not a valid name: use 1-{DataLimits.MaxUserName} letters, digits, '.', '_' or '-'.");
            return 2;
        }

        // The command may be the first thing run on a fresh data folder: make sure the schema exists.
        var migration = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        if (!migration.Succeeded)
        {
            return 1;
        }

        var factory = services.GetRequiredService<IDbContextFactory<GitTorrentDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.PortalAdmins.AnyAsync(a => a.UserName == userName, cancellationToken))
        {
            await Console.Error.WriteLineAsync($"admin create-user: an admin named '{userName}' already exists.");
            return 1;
        }

        var password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
        var admin = new PortalAdmin
        {
            UserName = userName,
            PasswordHash = string.Empty,
            MustChangePassword = true,
            SecurityStamp = GitTorrent.Web.Admin.AdminSignIn.NewStamp(),
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
        };
        admin.PasswordHash = new PasswordHasher<PortalAdmin>().HashPassword(admin, password);
        db.PortalAdmins.Add(admin);
        await db.SaveChangesAsync(cancellationToken);

        await Console.Out.WriteLineAsync($"Created portal admin '{userName}'.");
        await Console.Out.WriteLineAsync($"One-time password: {password}");
        await Console.Out.WriteLineAsync("It is shown only now; it must be changed at first sign-in.");
        return 0;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex UserNamePattern();
}
