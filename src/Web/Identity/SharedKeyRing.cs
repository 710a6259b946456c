using GitTorrent.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Identity;

/// <summary>
/// The Data Protection key ring every replica shares (<c>data_protection_keys</c>): sign-in cookies, antiforgery tokens,
/// Blazor circuits and the portal key made by one replica open on every other. At start, under a PostgreSQL advisory
/// lock so replicas starting together do not each create a first key, it imports the key files of a single-process
/// install (<c>&lt;DataDir&gt;/keys</c>, so its signed-in admins stay signed in) into an empty table, then loads or
/// creates the ring.
/// </summary>
public sealed partial class SharedKeyRing(
    IDataProtectionProvider protection,
    IDbContextFactory<GitTorrentDbContext> factory,
    IOptions<PortalOptions> options,
    ILogger<SharedKeyRing> logger)
{
    /// <summary>The advisory lock key (any constant the portal uses for nothing else).</summary>
    public const long LockKey = 0x47_54_4B_52; // "GTKR"

    public string LegacyFolder { get; } = Path.Combine(options.Value.DataDir, "keys");

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var postgres = db.Provider == DatabaseProvider.Postgres;
        await db.Database.OpenConnectionAsync(cancellationToken);
        if (postgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        }

        try
        {
            if (Directory.Exists(LegacyFolder) && !await db.DataProtectionKeys.AnyAsync(cancellationToken))
            {
                var files = Directory.GetFiles(LegacyFolder, "key-*.xml");
                foreach (var file in files)
                {
                    db.DataProtectionKeys.Add(new DataProtectionKey
                    {
                        FriendlyName = Path.GetFileNameWithoutExtension(file),
                        Xml = await File.ReadAllTextAsync(file, cancellationToken),
                    });
                }

                await db.SaveChangesAsync(cancellationToken);
                if (files.Length > 0)
                {
                    LogImported(files.Length, LegacyFolder);
                }
            }

            // Loads the ring, creating the first key if there is none, while this replica holds the lock.
            _ = protection.CreateProtector("GitTorrent.KeyRing").Protect([1]);
        }
        finally
        {
            if (postgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Count} Data Protection keys from {Folder} into the database")]
    private partial void LogImported(int count, string folder);
}
