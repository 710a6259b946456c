using System.Text;
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
/// Keeps the portal's own user row in step with its mirrors: repositories and refs read from the store, and a
/// profile (PROTOCOL.md section 3) signed with the portal's key over <c>3:seqi&lt;seq&gt;e1:v&lt;v&gt;</c> with a strictly
/// increasing seq, exactly what the engine will put into the DHT.
/// </summary>
public sealed class PortalProfileWriter(
    IDbContextFactory<GitTorrentDbContext> factory, PortalIdentity identity, RepositoryStore store, TimeProvider time)
{
    public const string DisplayName = "GitTorrent portal";

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Rewrites the portal's repositories from its mirrors in the store and signs a new profile.</summary>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await WriteCoreAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WriteCoreAsync(CancellationToken cancellationToken)
    {
        var userId = identity.UserId;
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var mirrors = await db.Mirrors.AsNoTracking().ToListAsync(cancellationToken);
        var profile = new UserProfile { Name = DisplayName };
        var published = new Dictionary<string, (string? Head, IReadOnlyDictionary<string, Hash20> Refs)>(StringComparer.Ordinal);
        foreach (var mirror in mirrors)
        {
            if (store.PathOf(userId, mirror.Name) is not { } path || !store.Exists(userId, mirror.Name))
            {
                continue;
            }

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

            profile.Repositories[mirror.Name] = entry;
            published[mirror.Name] = (head, entry);
        }

        var user = await db.Users.Include(u => u.Repositories).ThenInclude(r => r.Refs).AsSplitQuery()
            .SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken);
        var seq = Math.Max(now.ToUnixTimeSeconds(), (user?.Seq ?? 0) + 1);
        var value = Bencode(profile.ToJson());
        var signature = identity.Identity.Sign(SignedBytes(seq, value));
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
    }

    /// <summary>The bytes a BEP 44 signature covers: <c>3:seqi&lt;seq&gt;e1:v&lt;bencoded v&gt;</c>.</summary>
    public static byte[] SignedBytes(long seq, byte[] bencodedValue) =>
        [.. Encoding.ASCII.GetBytes($"3:seqi{seq}e1:v"), .. bencodedValue];

    private static byte[] Bencode(byte[] json)
    {
        var writer = new BencodeWriter();
        writer.WriteString(json);
        return writer.ToArray();
    }
}
