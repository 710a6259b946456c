using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Profiles;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Identity;

/// <summary>
/// The portal's own ed25519 identity, one for every replica: kept in the database (<c>portal_key</c>, the seed encrypted
/// with Data Protection, whose keys are in the database too), created on first use. An install that predates this keeps
/// its id: <c>&lt;DataDir&gt;/identity</c> is imported on first use. Mirrors are published under its user id
/// (<c>/u/&lt;id&gt;/&lt;mirror&gt;</c>, <c>gittorrent://&lt;id&gt;/&lt;mirror&gt;</c>).
/// </summary>
public sealed partial class PortalIdentity(
    IDbContextFactory<GitTorrentDbContext> factory,
    IDataProtectionProvider protection,
    IOptions<PortalOptions> options,
    TimeProvider time,
    ILogger<PortalIdentity> logger) : IDisposable
{
    /// <summary>The Data Protection purpose of the stored seed.</summary>
    public const string Purpose = "GitTorrent.PortalKey";

    /// <summary>Compare-and-swap attempts for a seq before giving up (each loses only to another replica's success).</summary>
    public const int MaxSeqAttempts = 50;

    private readonly Lock gate = new();
    private UserIdentity? identity;

    /// <summary>Where single-process installs kept the key; imported into the database once.</summary>
    public string LegacyFilePath { get; } = Path.Combine(options.Value.DataDir, "identity");

    public UserIdentity Identity
    {
        get
        {
            lock (gate)
            {
                return identity ??= LoadOrCreate();
            }
        }
    }

    /// <summary>40 lowercase hex chars.</summary>
    public string UserId => Identity.UserId.ToString();

    /// <summary>
    /// The next seq of the portal's profile, strictly above every seq any replica got before (the Engine's rule,
    /// <see cref="ProfileBuilder.NextSeq"/>), taken by compare-and-swap on <c>portal_key</c> in <paramref name="db"/>'s
    /// transaction: on PostgreSQL the updated row stays locked until that transaction commits, so profile writes of
    /// several replicas are ordered by their seq.
    /// </summary>
    public async Task<long> NextSeqAsync(GitTorrentDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        _ = Identity;
        for (var attempt = 0; attempt < MaxSeqAttempts; attempt++)
        {
            var current = await db.PortalKeys.AsNoTracking().Where(k => k.Id == PortalKey.SingletonId)
                .Select(k => k.Seq).SingleAsync(cancellationToken);
            var next = ProfileBuilder.NextSeq(current == 0 ? null : current, time);
            var taken = await db.PortalKeys.Where(k => k.Id == PortalKey.SingletonId && k.Seq == current)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.Seq, next), cancellationToken);
            if (taken == 1)
            {
                return next;
            }
        }

        throw new InvalidOperationException($"Could not take a profile seq in {MaxSeqAttempts} attempts.");
    }

    public void Dispose() => identity?.Dispose();

    private UserIdentity LoadOrCreate()
    {
        var protector = protection.CreateProtector(Purpose);
        using var db = factory.CreateDbContext();
        if (db.PortalKeys.AsNoTracking().SingleOrDefault(k => k.Id == PortalKey.SingletonId) is { } stored)
        {
            return Open(stored, protector);
        }

        var imported = File.Exists(LegacyFilePath);
        var created = imported ? UserIdentity.Load(LegacyFilePath) : UserIdentity.Generate();
        var userId = created.UserId.ToString();
        // Keep the seq an earlier single-process portal published at, so the next profile still wins in the DHT.
        var seq = db.Users.AsNoTracking().Where(u => u.UserId == userId).Select(u => (long?)u.Seq).SingleOrDefault() ?? 0;
        db.PortalKeys.Add(new PortalKey
        {
            UserId = userId,
            PublicKey = created.PublicKey,
            ProtectedSeed = protector.Protect(created.ExportSeed()),
            Seq = seq,
            CreatedAt = time.GetUtcNow(),
        });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException)
        {
            // Another replica stored its key first: that one is the portal's.
            created.Dispose();
            using var again = factory.CreateDbContext();
            return Open(again.PortalKeys.AsNoTracking().Single(k => k.Id == PortalKey.SingletonId), protector);
        }

        if (imported)
        {
            LogImported(LegacyFilePath, userId);
        }

        return created;
    }

    private UserIdentity Open(PortalKey stored, IDataProtector protector)
    {
        var opened = UserIdentity.FromSeed(protector.Unprotect(stored.ProtectedSeed));
        if (opened.UserId.ToString() != stored.UserId)
        {
            opened.Dispose();
            throw new GitTorrentException("portal_key is damaged: its seed does not give its user id.");
        }

        if (File.Exists(LegacyFilePath))
        {
            try
            {
                using var file = UserIdentity.Load(LegacyFilePath);
                if (file.UserId != opened.UserId)
                {
                    LogLegacyIgnored(LegacyFilePath, file.UserId.ToString(), stored.UserId);
                }
            }
            catch (GitTorrentException e)
            {
                LogLegacyIgnored(LegacyFilePath, e.Message, stored.UserId);
            }
        }

        return opened;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported the portal identity {Path} ({UserId}) into the database")]
    private partial void LogImported(string path, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring {Path} ({FileUserId}): the database holds the portal identity {UserId}")]
    private partial void LogLegacyIgnored(string path, string fileUserId, string userId);
}
