using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Dht.Items;
using GitTorrent.Engine.Profiles;
using GitTorrent.Engine.Node;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Indexer.Profiles;

/// <summary>
/// Writes verified profiles into the database: a profile replaces the stored one only when its seq is higher and
/// its signature verifies over exactly the stored bytes (docs/PROTOCOL.md section 3); repositories and refs follow it.
/// </summary>
/// <remarks>
/// On PostgreSQL a batch is written with a few set-based statements (ProfileStore.Postgres.cs); on SQLite through
/// EF Core change tracking. Both give the same rows: a newer profile replaces the user's columns, repositories no
/// longer published are deleted, new ones are added, and a repository whose refs changed gets its refs replaced,
/// its head re-guessed and its LastUpdated set; the user's UpdatedAt is set; an older or equal seq only touches LastSeen.
/// </remarks>
public sealed partial class ProfileStore(IDbContextFactory<GitTorrentDbContext> contexts, TimeProvider time)
{
    /// <summary>Whether <paramref name="profile"/> is a valid BEP 44 profile item of the user it claims.</summary>
    public static bool Verify(SignedProfile profile) =>
        profile.PublicKey.Length == 32
        && Hash20.Sha1(profile.PublicKey) == profile.UserId
        && Bep44.VerifyMutable(profile.PublicKey, [], profile.Seq, profile.RawValue, profile.Signature);

    public async Task<ProfileStoreResult> StoreAsync(IReadOnlyList<SignedProfile> profiles, CancellationToken cancellationToken)
    {
        var (stored, unchanged, rejected) = (0, 0, 0);
        var valid = new List<SignedProfile>();
        // Signature checks dominate the CPU cost of a batch: run them on every core.
        var verified = profiles.Count < 32
            ? profiles.Select(p => (Profile: p, Valid: Verify(p))).ToList()
            : profiles.AsParallel().AsOrdered().WithCancellation(cancellationToken).Select(p => (Profile: p, Valid: Verify(p))).ToList();
        foreach (var group in verified.GroupBy(p => p.Profile.UserId))
        {
            var best = group.Where(p => p.Valid).Select(p => p.Profile).MaxBy(p => p.Seq);
            rejected += group.Count() - (best is null ? 0 : 1);
            if (best is not null)
            {
                valid.Add(best);
            }
        }
        if (valid.Count == 0)
        {
            return new ProfileStoreResult(0, 0, rejected);
        }
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (db.Provider == DatabaseProvider.Postgres)
        {
            (stored, unchanged) = await StorePostgresAsync(db, valid, now, cancellationToken).ConfigureAwait(false);
            return new ProfileStoreResult(stored, unchanged, rejected);
        }
        var ids = valid.Select(p => p.UserId.ToString()).ToList();
        var users = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs)
            .Where(u => ids.Contains(u.UserId)).AsSplitQuery().ToDictionaryAsync(u => u.UserId, cancellationToken).ConfigureAwait(false);
        foreach (var profile in valid)
        {
            var id = profile.UserId.ToString();
            if (users.TryGetValue(id, out var user) && user.Seq >= profile.Seq)
            {
                user.LastSeen = now;
                unchanged++;
                continue;
            }
            if (user is null)
            {
                user = new User
                {
                    UserId = id,
                    PublicKey = profile.PublicKey,
                    RawProfile = profile.RawValue,
                    Signature = profile.Signature,
                    FirstSeen = now,
                };
                db.Users.Add(user);
            }
            Apply(user, profile, now);
            stored++;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new ProfileStoreResult(stored, unchanged, rejected);
    }

    private static void Apply(User user, SignedProfile profile, DateTimeOffset now)
    {
        user.Seq = profile.Seq;
        user.RawProfile = profile.RawValue;
        user.Signature = profile.Signature;
        user.PublicKey = profile.PublicKey;
        user.DisplayName = Cut(profile.Profile.Name, DataLimits.MaxDisplayName);
        user.Email = Cut(profile.Profile.Email, DataLimits.MaxEmail);
        user.LastSeen = now;
        user.UpdatedAt = now;
        user.CrawlFailures = 0;
        var published = profile.Profile.Repositories;
        user.Repositories.RemoveAll(r => !published.ContainsKey(r.Name));
        foreach (var (name, refs) in published)
        {
            if (name.Length > DataLimits.MaxRepositoryName)
            {
                continue;
            }
            var repository = user.Repositories.FirstOrDefault(r => r.Name == name);
            if (repository is null)
            {
                repository = new Repository { UserId = user.UserId, Name = name, LastUpdated = now };
                user.Repositories.Add(repository);
            }
            var changed = repository.Refs.Count != refs.Count
                || repository.Refs.Any(r => !refs.TryGetValue(r.Name, out var target) || target.ToString() != r.Target);
            if (!changed)
            {
                continue;
            }
            repository.Refs.Clear();
            foreach (var (refName, target) in refs)
            {
                repository.Refs.Add(new RepositoryRef { Name = refName, Target = target.ToString() });
            }
            repository.Head = UserProfile.GuessHeadTarget(refs);
            repository.LastUpdated = now;
        }
    }

    private static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
