using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Engine.Bencoding;
using GitTorrent.Engine.Profiles;
using GitTorrent.Web.Git;
using GitTorrent.Engine.Git;
using Microsoft.EntityFrameworkCore;

namespace GitTorrent.Web.Identity;

/// <summary>
/// Keeps the portal's own user row in step with its mirrors and signs its profile (docs/PROTOCOL.md section 3) through the
/// Engine's one signer (<see cref="UserIdentity.SignProfile"/>) at a seq taken atomically across replicas
/// (<see cref="PortalIdentity.NextSeqAsync"/>), exactly what the engine will put into the DHT. The database is the
/// truth for the set of replicas: a mirror's refs come from this replica's store only for the mirror it just synced
/// (or one the database does not list yet); the others keep what the replica that synced them recorded.
/// </summary>
public sealed partial class PortalProfileWriter(
    IDbContextFactory<GitTorrentDbContext> factory, PortalIdentity identity, RepositoryStore store, TimeProvider time,
    ILogger<PortalProfileWriter> logger)
{
    public const string DisplayName = "GitTorrent portal";

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Signs a new profile; <paramref name="syncedMirror"/> is the mirror whose refs this replica's store now holds.</summary>
    public async Task WriteAsync(string? syncedMirror, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await WriteCoreAsync(syncedMirror, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WriteCoreAsync(string? syncedMirror, CancellationToken cancellationToken)
    {
        var userId = identity.UserId;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // First the seq: on PostgreSQL this locks portal_key until commit, so the rows read below are the latest.
        var seq = await identity.NextSeqAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var mirrors = await db.Mirrors.AsNoTracking().ToListAsync(cancellationToken);
        var user = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs).AsSplitQuery()
            .SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken);
        var profile = new UserProfile { Name = DisplayName };
        var published = new Dictionary<string, (string? Head, SortedDictionary<string, Hash20> Refs)>(StringComparer.Ordinal);
        foreach (var mirror in mirrors)
        {
            var recorded = user?.Repositories.FirstOrDefault(r => r.Name == mirror.Name);
            var fromStore = (mirror.Name == syncedMirror || recorded is null) && store.Exists(userId, mirror.Name);
            (string? Head, SortedDictionary<string, Hash20> Refs)? entry = fromStore
                ? await ReadStoreAsync(store.PathOf(userId, mirror.Name)!, cancellationToken)
                : recorded is null ? null
                : (recorded.Head, new SortedDictionary<string, Hash20>(
                    recorded.Refs.Where(f => Hash20.TryParse(f.Target, out _)).ToDictionary(f => f.Name, f => Hash20.Parse(f.Target)),
                    StringComparer.Ordinal));
            if (entry is { } e)
            {
                profile.Repositories[mirror.Name] = e.Refs;
                published[mirror.Name] = e;
            }
        }

        var value = Bencode(profile.ToJson());
        var signature = identity.Identity.SignProfile(seq, value);
        if (user is null)
        {
            user = new User
            {
                UserId = userId,
                PublicKey = identity.Identity.PublicKey,
                RawProfile = value,
                Signature = signature,
                FirstSeen = now,
            };
            db.Users.Add(user);
        }

        user.Seq = seq;
        user.RawProfile = value;
        user.Signature = signature;
        user.DisplayName = DisplayName;
        user.LastSeen = now;
        user.UpdatedAt = now;

        foreach (var stale in user.Repositories.Where(r => !published.ContainsKey(r.Name)).ToList())
        {
            db.Repositories.Remove(stale);
        }

        foreach (var (name, (head, refs)) in published)
        {
            var repository = user.Repositories.FirstOrDefault(r => r.Name == name);
            if (repository is null)
            {
                repository = new Repository { UserId = userId, Name = name, LastUpdated = now };
                user.Repositories.Add(repository);
            }

            var changed = repository.Head != head || repository.Refs.Count != refs.Count
                || repository.Refs.Any(f => !refs.TryGetValue(f.Name, out var t) || t.ToString() != f.Target);
            if (changed)
            {
                repository.Head = head;
                repository.LastUpdated = now;
                repository.Refs.Clear();
                repository.Refs.AddRange(refs.Select(r => new RepositoryRef { Name = r.Key, Target = r.Value.ToString() }));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogSigned(seq, published.Count);
    }

    /// <summary>A mirror as this replica's store holds it: HEAD's branch and the refs a profile may carry, HEAD included.</summary>
    private static async Task<(string? Head, SortedDictionary<string, Hash20> Refs)> ReadStoreAsync(string path, CancellationToken cancellationToken)
    {
        var refs = await GitRefs.ReadAsync(path, cancellationToken);
        var head = await GitRefs.ReadHeadTargetAsync(path, cancellationToken);
        var entry = new SortedDictionary<string, Hash20>(StringComparer.Ordinal);
        foreach (var (name, target) in refs)
        {
            if (UserProfile.IsValidRefName(name))
            {
                entry[name] = target;
            }
        }

        if (head is not null && refs.TryGetValue(head, out var headTarget))
        {
            entry["HEAD"] = headTarget;
        }

        return (head, entry);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed the portal profile at seq {Seq} ({Repositories} mirrors)")]
    private partial void LogSigned(long seq, int repositories);

    private static byte[] Bencode(byte[] json)
    {
        var writer = new BencodeWriter();
        writer.WriteString(json);
        return writer.ToArray();
    }
}
