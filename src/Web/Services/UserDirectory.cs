using GitTorrent.Data;
using GitTorrent.Data.Entities;
using GitTorrent.Engine;
using GitTorrent.Indexer.Names;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace GitTorrent.Web.Services;

/// <summary>
/// Read model of users, names and repositories. Owners are named by 40-hex id or by registered name; a name's owner
/// and status come from the indexer's <see cref="NameLookup"/> (the same answer as <c>/api/names/{name}</c>; the
/// stored verdict columns, the indexer's cache of the same rules, only pick the candidate names of a user). Hot lookups are cached for a few seconds.
/// </summary>
public sealed class UserDirectory(IDbContextFactory<GitTorrentDbContext> factory, NameLookup lookup, IMemoryCache cache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(3);

    public async Task<OwnerInfo?> ResolveOwnerAsync(string nameOrId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("owner", nameOrId), out OwnerInfo? cached))
        {
            return cached;
        }

        string? userId = Hash20.IsLowerHex40(nameOrId) ? nameOrId : null;
        string? registered = null;
        if (userId is null)
        {
            if (!GitTorrentUrl.UsernamePattern().IsMatch(nameOrId))
            {
                return null;
            }

            var name = await GetNameAsync(nameOrId, cancellationToken);
            userId = name?.Owner;
            registered = name?.Owner is null ? null : nameOrId;
            if (userId is null)
            {
                return null;
            }
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.UserId == userId)
            .Select(u => new { u.UserId, u.DisplayName, u.PublicKey, u.Seq, u.LastSeen })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        registered ??= await RegisteredNameOfAsync(db, userId, cancellationToken);
        var owner = new OwnerInfo(user.UserId, user.DisplayName, registered, user.PublicKey, user.Seq, user.LastSeen);
        cache.Set(("owner", nameOrId), owner, CacheFor);
        return owner;
    }

    public async Task<IReadOnlyList<RepositoryRecord>> RepositoriesAsync(string userId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(("repos", userId), out IReadOnlyList<RepositoryRecord>? cached))
        {
            return cached!;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Repositories.AsNoTracking()
            .Where(r => r.UserId == userId)
            .Include(r => r.Refs)
            .OrderBy(r => r.Name)
            .ToListAsync(cancellationToken);
        IReadOnlyList<RepositoryRecord> list = [.. rows.Select(r => new RepositoryRecord(
            r.Id, r.UserId, r.Name, r.Head, r.LastUpdated,
            r.Refs.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Target, StringComparer.Ordinal)))];
        cache.Set(("repos", userId), list, CacheFor);
        return list;
    }

    /// <summary>Drops cached rows of one user (after a mirror sync wrote new refs).</summary>
    public void Invalidate(string userId) => cache.Remove(("repos", userId));

    /// <summary>
    /// A name as <c>/api/names/{name}</c> reports it (the indexer's <see cref="NameLookup"/>: owner and status at the
    /// indexed tip, not the stored verdict columns); null for a name never seen.
    /// </summary>
    public async Task<NameView?> GetNameAsync(string name, CancellationToken cancellationToken)
    {
        if (await lookup.ResolveAsync(name, cancellationToken) is not { } resolution)
        {
            return null;
        }

        return new NameView(
            resolution.Name,
            resolution.Owner?.ToString(),
            resolution.StatusText,
            [.. resolution.Entries.Select(e => new NameEntryView(
                NameApiResponse.KindText(e.Entry.Kind), e.Entry.Txid, e.Entry.Position.Vout, e.Entry.Height, e.Entry.BlockHash,
                e.Entry.KeyHash?.ToString(), e.Valid, e.Reason, e.Pending ? "pending" : resolution.StatusText))]);
    }

    /// <summary>The names a user owns (for <c>/api/users/{id}</c> and the user page).</summary>
    public async Task<IReadOnlyList<NameView>> NamesOwnedByAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.KeyHash == userId && n.Name != null && n.Valid)
            .Select(n => n.Name!)
            .Distinct()
            .ToListAsync(cancellationToken);
        var owned = new List<NameView>();
        foreach (var candidate in candidates.Order(StringComparer.Ordinal))
        {
            if (await GetNameAsync(candidate, cancellationToken) is { } view && view.Owner == userId)
            {
                owned.Add(view);
            }
        }

        return owned;
    }

    public async Task<User?> GetUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken);
    }

    private async Task<string?> RegisteredNameOfAsync(GitTorrentDbContext db, string userId, CancellationToken cancellationToken)
    {
        var names = await db.NameRegistrations.AsNoTracking()
            .Where(n => n.KeyHash == userId && n.Name != null && n.Valid
                && (n.Kind == NameRegistrationKind.Claim || n.Kind == NameRegistrationKind.Register))
            .Select(n => n.Name!)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            if ((await GetNameAsync(name, cancellationToken))?.Owner == userId)
            {
                return name;
            }
        }

        return null;
    }
}
